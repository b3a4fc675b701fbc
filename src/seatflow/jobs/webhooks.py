"""The webhook relay beside procrastinate's loop in a worker process (pipeline.webhook_relay)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from seatflow.bootstrap import Services
from seatflow.pipeline.metrics import Metrics
from seatflow.pipeline.webhook_metrics import WebhookMetrics
from seatflow.pipeline.webhook_relay import RelayConfig, WebhookRelay

__all__ = ["relaying"]

#: On a stop, how long the relay may take to put down its deliveries in flight.
STOP_SECONDS = 10.0


@asynccontextmanager
async def relaying(wired: Services, metrics: Metrics) -> AsyncIterator[WebhookRelay]:
    """The relay runs for as long as the block does; its metrics join the worker's."""
    relay = WebhookRelay(
        wired.pool,
        wired.sink,
        wired.clock,
        RelayConfig.from_settings(wired.settings),
        metrics=WebhookMetrics(metrics.registry),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop), name="webhook-relay")
    try:
        yield relay
    finally:
        stop.set()
        with suppress(TimeoutError):
            await asyncio.wait_for(task, STOP_SECONDS)
