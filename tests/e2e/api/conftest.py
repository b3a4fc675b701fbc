"""Fixtures for the HTTP API tests: `api` gives each test the app on a fresh database;
`module_api` shares one database across a module, for tests that only read or that each touch
their own bookings."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from e2e.api.kit import Api, admin_sql, serving
from seatflow.store.embedded import with_database


@pytest.fixture
async def api(db_url: str) -> AsyncIterator[Api]:
    """The app on this test's own fresh database."""
    async with serving(db_url) as running:
        yield running


@pytest.fixture(scope="module")
async def module_api(server_url: str, template_db: str) -> AsyncIterator[Api]:
    """The app on a database shared by one test module."""
    name = f"seatflow_m_{uuid.uuid4().hex[:12]}"
    admin_sql(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    try:
        async with serving(with_database(server_url, name)) as running:
            yield running
    finally:
        admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
