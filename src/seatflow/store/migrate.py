"""Schema migrations (Alembic, raw SQL), applied programmatically so commands can self-migrate."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from seatflow.errors import DatabaseUnavailable

_SCRIPTS = Path(__file__).parent / "migrations"


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _config(url: str) -> Config:
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", str(_SCRIPTS))
    config.set_main_option("sqlalchemy.url", _sqlalchemy_url(url).replace("%", "%%"))
    return config


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrationStatus:
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config("postgresql://")).get_current_head()


def migration_status(url: str) -> MigrationStatus:
    engine = create_engine(_sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as exc:
        raise DatabaseUnavailable(f"cannot read the migration version: {exc}") from exc
    finally:
        engine.dispose()
    return MigrationStatus(current=current, head=head_revision())


def migrate(url: str) -> MigrationStatus:
    """Upgrade to the newest revision; a no-op when already there."""
    status = migration_status(url)
    if not status.up_to_date:
        command.upgrade(_config(url), "head")
    return migration_status(url)
