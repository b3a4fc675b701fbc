"""The webhook relay: a loop in every worker process that fans the outbox out to deliveries and
sends what is due, each delivery a task of its own.

Nothing here is on an assignment's path: bookings only write outbox rows (in their own
transactions, as they always did); the relay reads them later. A slow receiver holds only its own
leased deliveries (at most `per_endpoint` at a time, each for at most the timeout), so other
endpoints' deliveries are claimed and sent meanwhile. A worker killed mid-delivery leaves a lease
that runs out; another relay sends the event again with the same id (at least once). A database
outage stops a round, never the loop: it is retried with backoff, and nothing is lost, since an
outbox row is marked published in the very transaction that writes its deliveries.
"""

from __future__ import annotations

import asyncio
import random
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

import httpx
import structlog
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.webhooks import RetrySchedule
from seatflow.pipeline.clock import Clock
from seatflow.pipeline.webhook_delivery import post_event
from seatflow.pipeline.webhook_metrics import WebhookMetrics
from seatflow.settings import Settings
from seatflow.store.database import Connection, is_unavailable
from seatflow.store.events import Event, EventSink
from seatflow.store.webhook_relay import (
    Claimed,
    Outcome,
    claim_due,
    fan_out,
    record_delivered,
    record_failure,
)

__all__ = ["RelayConfig", "WebhookRelay"]

log = structlog.get_logger(__name__)

#: Outbox rows fanned out per transaction.
FAN_OUT_BATCH = 200
#: A lease outlives the attempt's timeout by this much before another relay may take it over.
LEASE_MARGIN = timedelta(seconds=5)
_MAX_IDLE_BACKOFF = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RelayConfig:
    allow_private: bool = False
    timeout: float = 10.0
    schedule: RetrySchedule = RetrySchedule(
        base=timedelta(seconds=10), cap=timedelta(hours=1), window=timedelta(days=1)
    )
    per_endpoint: int = 4
    poll: float = 1.0
    #: Deliveries this process sends at once, all endpoints together.
    max_in_flight: int = 64

    @classmethod
    def from_settings(cls, settings: Settings) -> RelayConfig:
        schedule = RetrySchedule(
            base=timedelta(seconds=settings.webhook_retry_base_seconds),
            cap=timedelta(seconds=settings.webhook_retry_cap_seconds),
            window=timedelta(seconds=settings.webhook_retry_window_seconds),
        )
        return cls(
            allow_private=settings.webhook_allow_private,
            timeout=settings.webhook_timeout_seconds,
            schedule=schedule,
            per_endpoint=settings.webhook_concurrency,
            poll=settings.webhook_poll_seconds,
        )

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.timeout) + LEASE_MARGIN


class WebhookRelay:
    """Run with `run(stop)`; `tick()` is one round (tests drive it directly)."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Connection],
        sink: EventSink,
        clock: Clock,
        config: RelayConfig,
        *,
        metrics: WebhookMetrics | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._pool = pool
        self._sink = sink
        self._clock = clock
        self._config = config
        self._metrics = metrics
        self._rng = rng or random.Random()
        self._tasks: set[asyncio.Task[None]] = set()
        #: Set when a delivery ends: its endpoint or booking may have more due at once.
        self._wake = asyncio.Event()
        self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False)

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until `stop` is set; deliveries still in flight then are cancelled (their
        leases run out and they are sent again)."""
        log.info("webhook_relay_started", poll=self._config.poll)
        failures = 0
        try:
            while not stop.is_set():
                delay = self._config.poll
                try:
                    if not await self._round(stop):
                        break  # stopped in the middle of a round
                    failures = 0
                except Exception as exc:
                    failures += 1
                    delay = min(_MAX_IDLE_BACKOFF, self._config.poll * 2**failures)
                    _log_round_failure(exc, failures)
                await self._pause(stop, delay, woken=failures == 0)
        finally:
            await self.aclose()
        log.info("webhook_relay_stopped")

    async def _round(self, stop: asyncio.Event) -> bool:
        """One `tick`, abandoned when `stop` is set meanwhile (False then): a stop during an
        outage must not wait for the pool to give up on the database. A round only reads and
        leases in short transactions, which roll back when cancelled; a lease it committed runs
        out and its delivery is sent again, as after a crash."""
        tick = asyncio.create_task(self.tick())
        stopped = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({tick, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if tick.done():
            tick.result()  # the round's own error, if any
            return True
        tick.cancel()
        with suppress(asyncio.CancelledError):
            await tick
        return False

    async def _pause(self, stop: asyncio.Event, delay: float, *, woken: bool) -> None:
        """Until the next round: `delay`, or sooner when stopped or (`woken`) a delivery ended."""
        waits = [asyncio.create_task(stop.wait())]
        if woken:
            waits.append(asyncio.create_task(self._wake.wait()))
        try:
            await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        self._wake.clear()

    async def tick(self) -> int:
        """Fan out what the outbox holds, then start sending what is due; how many started."""
        while await self._fan_out() == FAN_OUT_BATCH:
            pass
        room = self._config.max_in_flight - len(self._tasks)
        if room <= 0:
            return 0
        async with self._pool.connection() as conn, conn.transaction():
            claimed = await claim_due(
                conn, per_endpoint=self._config.per_endpoint, limit=room, lease=self._config.lease
            )
        for delivery in claimed:
            task = asyncio.create_task(self._deliver(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(claimed)

    async def drain(self) -> None:
        """Wait for the deliveries in flight (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._client.aclose()

    async def _fan_out(self) -> int:
        async with self._pool.connection() as conn, conn.transaction():
            return await fan_out(conn, limit=FAN_OUT_BATCH)

    async def _deliver(self, claimed: Claimed) -> None:
        acknowledged, outcome = await post_event(
            self._client,
            claimed,
            allow_private=self._config.allow_private,
            timeout=self._config.timeout,
        )
        try:
            verdict = await self._record(claimed, acknowledged, outcome)
        except Exception as exc:  # the lease runs out and the event is sent again
            log.warning("webhook_record_failed", delivery_id=claimed.id, error=type(exc).__name__)
            return
        _log_attempt(claimed, outcome, verdict)
        if self._metrics is not None:
            self._metrics.record(verdict, outcome.latency_ms / 1000)
        self._wake.set()

    async def _record(self, claimed: Claimed, acknowledged: bool, outcome: Outcome) -> str:
        """Store the attempt; its verdict: delivered, retry or failed (given up)."""
        if acknowledged:
            async with self._pool.connection() as conn, conn.transaction():
                await record_delivered(conn, claimed.id, outcome)
            return "delivered"
        now = self._clock.now()
        at = self._config.schedule.next_attempt(
            claimed.attempts, claimed.first_attempt_at, now, self._rng
        )
        async with self._pool.connection() as conn, conn.transaction():
            newly_failing = await record_failure(conn, claimed, outcome, at)
        if newly_failing:
            self._tell_failing(claimed, outcome)
        return "retry" if at is not None else "failed"

    def _tell_failing(self, claimed: Claimed, outcome: Outcome) -> None:
        if self._metrics is not None:
            self._metrics.failing.inc()
        log.warning("webhook_endpoint_failing", endpoint_id=str(claimed.endpoint_id))
        self._sink.emit(
            Event(
                source="webhooks",
                event_type="webhook.endpoint_failing",
                severity="warning",
                booking_id=claimed.booking_id,
                restaurant_id=claimed.restaurant_id,
                context={
                    "endpoint_id": str(claimed.endpoint_id),
                    "event_id": str(claimed.event_id),
                    "attempts": claimed.attempts,
                    "error": outcome.error,
                },
                created_at=self._clock.now(),
            )
        )


def _log_attempt(claimed: Claimed, outcome: Outcome, verdict: str) -> None:
    log.info(
        "webhook_attempt",
        verdict=verdict,
        endpoint_id=str(claimed.endpoint_id),
        event_id=str(claimed.event_id),
        event_type=claimed.event_type,
        attempt=claimed.attempts,
        status_code=outcome.status_code,
        error=outcome.error,
        latency_ms=round(outcome.latency_ms, 1),
    )


def _log_round_failure(exc: Exception, failures: int) -> None:
    if is_unavailable(exc):
        log.warning("webhook_relay_database_unavailable", failures=failures)
    else:
        log.error("webhook_relay_round_failed", error=repr(exc)[:300], failures=failures)
