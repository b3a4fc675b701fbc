"""Scratch databases: where simulations and the demo run, so they never touch live data.

One is created beside the configured database (same server, the embedded one included), migrated,
handed out, and dropped on the way out — whatever happened inside. A process killed outright
leaves one behind; its name (`seatflow_scratch_…`) says what it is.

The demo's database (`seatflow_demo`) is the one kept: recreated at the start of each demo and
left afterwards, so the ops console and `seatflow timeline` can look at the demo's evening.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from seatflow.errors import StoreError
from seatflow.store.database import unreachable
from seatflow.store.embedded import with_database
from seatflow.store.migrate import migrate

__all__ = ["DEMO_DATABASE", "SCRATCH_PREFIX", "recreated_database", "scratch_database"]

SCRATCH_PREFIX = "seatflow_scratch_"
DEMO_DATABASE = "seatflow_demo"


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new, migrated database on `server_url`'s server; dropped when the block ends."""
    name = f"{SCRATCH_PREFIX}{uuid.uuid4().hex[:12]}"
    _admin(server_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = with_database(server_url, name)
        migrate(url)
        yield url
    finally:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        _admin(server_url, drop)


def recreated_database(server_url: str, name: str) -> str:
    """Database `name` on `server_url`'s server, dropped first if it was there, then created and
    migrated; it stays after the caller is done (the next call replaces it)."""
    identifier = sql.Identifier(name)
    _admin(server_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
    _admin(server_url, sql.SQL("CREATE DATABASE {}").format(identifier))
    url = with_database(server_url, name)
    migrate(url)
    return url


def _admin(server_url: str, statement: sql.Composed) -> None:
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(
            "cannot create a scratch database on this server (no CREATEDB privilege): "
            "give --database URL of a database kept for simulations"
        ) from exc
    except psycopg.OperationalError as exc:
        raise unreachable(server_url, exc) from exc
