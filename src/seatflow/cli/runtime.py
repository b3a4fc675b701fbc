"""The CLI's composition root: settings → database URL → a schema checked current → connections.

Only `seatflow db migrate` migrates a configured server (DATABASE_URL): a newer CLI pointed at
production must never change its schema by running `rollout status`. The embedded server, which
is nobody's production, keeps migrating itself so that `make demo` needs no extra step.
"""

from __future__ import annotations

import typer

from seatflow.settings import Settings
from seatflow.store.database import connect, resolve_url
from seatflow.store.migrate import migrate, require_current

__all__ = [
    "connect",
    "current_url",
    "ready_url",
    "settings_of",
]  # connect: for the commands, from the store


def settings_of(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings), "the main callback builds Settings first"
    return settings


def ready_url(settings: Settings) -> str:
    """The database URL once its schema is this seatflow's: the embedded one is migrated on the
    way, a configured one only checked (SchemaOutOfDate names `seatflow db migrate`)."""
    url = resolve_url(settings)
    if settings.database_url:
        require_current(url)
    else:
        migrate(url)
    return url


def current_url(settings: Settings) -> str:
    """The database URL for a command that only reads: the schema is checked, never changed
    (not even the embedded one's), so looking never alters what is looked at."""
    url = resolve_url(settings)
    require_current(url)
    return url
