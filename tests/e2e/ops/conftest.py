"""Fixtures for the console tests: the app with two restaurants and their keys (`e2e.api.kit`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from e2e.api.kit import Api, serving


@pytest.fixture
async def api(db_url: str) -> AsyncIterator[Api]:
    """The app on this test's own fresh database."""
    async with serving(db_url) as running:
        yield running
