"""A worker stopped during a database outage must exit promptly: the webhook relay beside its
job loop ends at the stop even while a round is still waiting for a connection (the pool would
wait 30 s for the database before giving up)."""

from __future__ import annotations

import asyncio
import socket

from psycopg_pool import AsyncConnectionPool

from seatflow.pipeline.clock import SystemClock
from seatflow.pipeline.webhook_relay import RelayConfig, WebhookRelay
from seatflow.store.database import Connection
from seatflow.store.events import MemoryEventSink


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_stop_during_an_outage_ends_the_relay_without_waiting_for_the_pool() -> None:
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/none"
    pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(url, open=False, timeout=30)
    await pool.open(wait=False)
    relay = WebhookRelay(pool, MemoryEventSink(), SystemClock(), RelayConfig(poll=0.05))
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(0.5)  # the first round is waiting for a connection that never comes
        assert not running.done()
        stop.set()
        await asyncio.wait_for(running, 10)  # the pool alone would hold it for 30 s
    finally:
        running.cancel()
        await pool.close(timeout=0)
