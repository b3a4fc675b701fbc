"""A worker's Prometheus endpoint: its own port (`seatflow worker --metrics-port`), served by
prometheus_client's HTTP server on a thread, and the database's backlog gauges kept fresh.

One port per process rather than the multiprocess collector: workers run on many machines, a
scrape of one worker answers for that worker, and nothing is shared through a directory.
The backlog (jobs due, queue lag, bookings waiting) is read every few seconds on a connection
of its own, so a scrape never waits for the database and a job never waits for a scrape.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress

import structlog
from prometheus_client import start_http_server

from seatflow.errors import InvalidInput
from seatflow.pipeline.clock import Clock
from seatflow.pipeline.metrics import Metrics
from seatflow.store.database import connect

__all__ = ["REFRESH_SECONDS", "backlog_refresher", "metrics_endpoint"]

log = structlog.get_logger(__name__)

#: How often a worker reads the backlog gauges from the database.
REFRESH_SECONDS = 10.0


@contextmanager
def metrics_endpoint(metrics: Metrics, host: str, port: int) -> Iterator[int]:
    """Serve `metrics` on host:port (0: any free port) until the block ends; yields the port.

    A port that cannot be bound stops start-up with one line naming `--metrics-port`."""
    try:
        server, thread = start_http_server(port, addr=host, registry=metrics.registry)
    except OSError as exc:
        raise InvalidInput("--metrics-port", _bind_failure(host, port, exc)) from None
    try:
        yield int(server.server_port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _bind_failure(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"{host}:{port} is already in use: give each worker on a machine its own "
            "--metrics-port (0 picks a free one)"
        )
    return f"cannot serve metrics on {host}:{port} ({exc.strerror or exc})"


@asynccontextmanager
async def backlog_refresher(
    metrics: Metrics, url: str, clock: Clock, every: float = REFRESH_SECONDS
) -> AsyncIterator[None]:
    """Keep the backlog gauges current while the block runs."""
    task = asyncio.get_running_loop().create_task(_refresh_forever(metrics, url, clock, every))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def _refresh_forever(metrics: Metrics, url: str, clock: Clock, every: float) -> None:
    failing = False
    while True:
        try:
            async with connect(url) as conn:
                await metrics.refresh_backlog(conn, clock.now())
            failing = False
        except Exception as exc:  # the gauges keep their last values; jobs are not affected
            if not failing:  # once per outage, not every few seconds
                log.warning("metrics_backlog_unavailable", error=type(exc).__name__)
            failing = True
        await asyncio.sleep(every)
