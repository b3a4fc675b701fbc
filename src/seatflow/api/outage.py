"""The API while its database is away: answer 503 at once instead of waiting on the pool.

The first request that meets the outage (the error handler calls `lost`) starts one background
probe; until it gets an answer, `/v1` requests are refused up front (`database_gate`) — 503
`database_unavailable` with `Retry-After`, never a request that hangs for the pool's timeout.
When the server answers again the pool's idle connections, all broken by the restart, are
checked and replaced, so the first requests after the outage do not fail on them.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

import structlog
from psycopg_pool import AsyncConnectionPool

from seatflow.errors import DatabaseUnavailable
from seatflow.pipeline.outage import DatabaseHealth

__all__ = ["ApiOutage"]

log = structlog.get_logger(__name__)


class ApiOutage:
    """Whether the API believes its database is reachable, and the probe that ends an outage."""

    def __init__(self, health: DatabaseHealth, pool: AsyncConnectionPool[Any]) -> None:
        self._health = health
        self._pool = pool
        self._watch: asyncio.Task[None] | None = None

    @property
    def up(self) -> bool:
        return self._health.up

    def require_up(self) -> None:
        """Refuse a request during a known outage (the error handler answers 503)."""
        if not self._health.up:
            raise DatabaseUnavailable("the database is unavailable; retry shortly")

    def lost(self, error: BaseException) -> None:
        """A request met the outage: record it, and probe for the server's return once."""
        self._health.lost(error)
        if self._watch is None or self._watch.done():
            self._watch = asyncio.get_running_loop().create_task(
                self._until_back(), name="seatflow-database-watch"
            )

    async def _until_back(self) -> None:
        await self._health.wait_until_back(prepare=self._renew_pool)

    async def _renew_pool(self) -> None:
        """Before requests are let through again: replace what the restart broke."""
        with suppress(Exception):  # a connection still broken is discarded on its next use
            await self._pool.check()

    async def aclose(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with suppress(asyncio.CancelledError):
                await self._watch
