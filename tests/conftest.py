"""Shared fixtures: a real PostgreSQL (DATABASE_URL, else the embedded server), a migrated
template database, and a fresh clone of it per test — isolation without row deletion."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from seatflow.store.database import Connection, prepare_by_default, prepare_option
from seatflow.store.embedded import embedded_server_url, with_database
from seatflow.store.migrate import migrate
from support.pooler import POOLER_URL, PREPARED_STATEMENTS

prepare_by_default(PREPARED_STATEMENTS)


@pytest.fixture(scope="session")
def server_url() -> str:
    """The server the suite runs on: DATABASE_URL when set, else an embedded one for tests."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    data_dir = Path(os.environ.get("SEATFLOW_TEST_DATA_DIR", f"/tmp/seatflow-test-{os.getuid()}"))
    return embedded_server_url(data_dir / "pgdata")


@pytest.fixture(scope="session")
def template_db(server_url: str) -> Iterator[str]:
    """A database migrated once per session, cloned by each test that needs one."""
    name = f"seatflow_tmpl_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    migrate(with_database(server_url, name))
    yield name
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(server_url: str, template_db: str) -> Iterator[str]:
    """A fresh, migrated database for this test alone — reached through a connection pooler
    when SEATFLOW_TEST_POOLER_URL names one (PgBouncer in transaction mode, say; databases are
    still created and dropped on the server itself, since a pooler keeps the template open)."""
    name = f"seatflow_t_{uuid.uuid4().hex[:12]}"
    _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(POOLER_URL or server_url, name)
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_db_url(server_url: str) -> Iterator[str]:
    """A database with no schema at all, for this test alone."""
    name = f"seatflow_e_{uuid.uuid4().hex[:12]}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    yield with_database(server_url, name)
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def conn(db_url: str) -> AsyncIterator[Connection]:
    """An async connection (dict rows) to this test's database."""
    connection = await psycopg.AsyncConnection.connect(
        db_url, row_factory=dict_row, **prepare_option()
    )
    async with connection:
        yield connection


def _admin(server_url: str, statement: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(statement)  # type: ignore[arg-type]  # identifiers we generated above
