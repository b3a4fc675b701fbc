"""Schema migrations (Alembic, raw SQL) and the version check every command makes first.

Only `seatflow db migrate` (and the embedded server, which is nobody's production) changes a
schema; every other command calls `require_current` and stops, naming `seatflow db migrate`, when
the database is behind — or when it is ahead of this seatflow, which must not write to it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from seatflow.errors import DatabaseUnavailable, SchemaOutOfDate
from seatflow.store.database import unreachable

__all__ = [
    "MigrationStatus",
    "downgrade",
    "head_revision",
    "migrate",
    "migration_status",
    "require_current",
]

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
    #: Every revision this seatflow knows; a `current` outside it is a newer database.
    known: frozenset[str] = frozenset()

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def ahead(self) -> bool:
        """The database was migrated by a newer seatflow than this one."""
        return self.current is not None and self.current not in self.known


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config("postgresql://"))


def head_revision() -> str | None:
    return _scripts().get_current_head()


def migration_status(url: str) -> MigrationStatus:
    """The schema's revision (None on an empty database), read with one short query."""
    scripts = _scripts()
    known = frozenset(script.revision for script in scripts.walk_revisions())
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            exists = conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
            row = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if exists and exists[0]
                else None
            )
    except psycopg.OperationalError as exc:
        raise unreachable(url, exc) from exc
    except psycopg.Error as exc:
        raise DatabaseUnavailable(f"cannot read the schema version: {_first_line(exc)}") from exc
    current = str(row[0]) if row else None
    return MigrationStatus(current=current, head=scripts.get_current_head(), known=known)


def migrate(url: str) -> MigrationStatus:
    """Upgrade to the newest revision; a no-op when already there."""
    status = migration_status(url)
    if status.ahead:
        raise SchemaOutOfDate(_ahead_message(status))
    if not status.up_to_date:
        try:
            command.upgrade(_config(url), "head")
        except Exception as exc:  # SQLAlchemy/psycopg wording stays out of the one-line message
            raise DatabaseUnavailable(f"migration failed: {_first_line(exc)}") from exc
    return migration_status(url)


def downgrade(url: str, revision: str) -> MigrationStatus:
    """Step the schema back to `revision` through each migration's own downgrade (rollback of a
    release, and the tests that need an older database)."""
    try:
        command.downgrade(_config(url), revision)
    except Exception as exc:
        raise DatabaseUnavailable(f"downgrade failed: {_first_line(exc)}") from exc
    return migration_status(url)


def require_current(url: str) -> MigrationStatus:
    """The status when the schema is exactly this seatflow's; SchemaOutOfDate otherwise."""
    status = migration_status(url)
    if status.ahead:
        raise SchemaOutOfDate(_ahead_message(status))
    if status.current is None:
        raise SchemaOutOfDate(
            "the database has no seatflow schema yet: run `seatflow db migrate` first"
        )
    if not status.up_to_date:
        raise SchemaOutOfDate(
            f"the database schema is at revision {status.current}, this seatflow needs "
            f"{status.head}: run `seatflow db migrate` first"
        )
    return status


def _ahead_message(status: MigrationStatus) -> str:
    return (
        f"the database schema is at revision {status.current}, newer than this seatflow "
        f"(head {status.head}): upgrade seatflow instead of writing to it"
    )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
