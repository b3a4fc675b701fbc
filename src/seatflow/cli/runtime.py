"""The CLI's composition root: settings → database URL → migrated schema → connections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
import typer
from psycopg.rows import dict_row

from seatflow.errors import DatabaseUnavailable
from seatflow.settings import Settings
from seatflow.store.database import Connection, resolve_url
from seatflow.store.migrate import migrate


def settings_of(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings), "the main callback builds Settings first"
    return settings


def migrated_url(settings: Settings) -> str:
    """Commands that need the schema migrate the database by themselves."""
    url = resolve_url(settings)
    migrate(url)
    return url


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[Connection]:
    """One connection for a short CLI command; the caller commits with `conn.transaction()`."""
    try:
        conn = await psycopg.AsyncConnection.connect(url, row_factory=dict_row)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"cannot reach the database: {exc}") from exc
    async with conn:
        yield conn
