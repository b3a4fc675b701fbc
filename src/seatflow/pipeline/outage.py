"""A process's view of a database outage: when to ask again, and one pair of log lines per
outage (`database_unavailable`, then `database_back` with how long it lasted), counted in the
process's metrics.

The backoff is a pure decision (capped, with jitter so that every process of a cluster does not
knock on a restarting server in lock-step); `DatabaseHealth` is what acts on it. Both surfaces
use it: a worker waits for the database before it starts procrastinate's loop again, the API
refuses requests quickly (503) while it knows the database is away.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass

import structlog

from seatflow.errors import DatabaseUnavailable
from seatflow.pipeline.metrics import Metrics
from seatflow.store.database import probe

__all__ = ["DatabaseHealth", "ReconnectBackoff"]

log = structlog.get_logger(__name__)

#: Beyond this many doublings the delay is the cap anyway (and 2**n would overflow a float).
_MAX_EXPONENT = 32
#: `answers()` gives the server this long: it is asked while a stop waits on it.
ANSWER_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconnectBackoff:
    """Seconds to wait before probe number `attempt` (1, 2, …): doubling from `base`, never
    above `cap`, spread ± `jitter` (a fraction) and never below zero."""

    base: float = 0.25
    cap: float = 2.0
    jitter: float = 0.3

    def delay(self, attempt: int, rng: random.Random) -> float:
        exponent = min(max(attempt - 1, 0), _MAX_EXPONENT)
        raw = min(self.base * 2.0**exponent, self.cap)
        spread = raw * (1 + rng.uniform(-self.jitter, self.jitter))
        return max(0.0, min(spread, self.cap))


class DatabaseHealth:
    """Whether this process reaches its database, as far as it knows; logs and counts outages.

    `lost(error)` starts an outage (once: later calls during the same outage say nothing);
    `wait_until_back()` probes with backoff until the server answers, then ends it."""

    def __init__(
        self,
        url: str,
        metrics: Metrics,
        *,
        component: str,
        backoff: ReconnectBackoff | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._metrics = metrics
        self._component = component
        self._backoff = backoff or ReconnectBackoff()
        self._rng = rng or random.Random()
        self._clock = clock
        self._down_since: float | None = None

    @property
    def up(self) -> bool:
        return self._down_since is None

    def lost(self, error: BaseException) -> None:
        """The database just failed us: the first failure of an outage is logged and counted."""
        if self._down_since is not None:
            return
        self._down_since = self._clock()
        self._metrics.database_up.set(0)
        self._metrics.database_outages.inc()
        log.warning(
            "database_unavailable",
            component=self._component,
            error=f"{type(error).__name__}: {error}".splitlines()[0][:300],
        )

    def back(self) -> float:
        """The database answered again: the outage ends; returns how long it lasted (seconds)."""
        if self._down_since is None:
            return 0.0
        seconds = max(0.0, self._clock() - self._down_since)
        self._down_since = None
        self._metrics.database_up.set(1)
        self._metrics.database_outage_seconds.inc(seconds)
        log.info("database_back", component=self._component, down_seconds=round(seconds, 2))
        return seconds

    async def answers(self) -> bool:
        """One probe, no backoff and no bookkeeping: whether the server answers right now."""
        try:
            await probe(self._url, timeout=ANSWER_TIMEOUT_SECONDS)
        except DatabaseUnavailable:
            return False
        return True

    async def wait_until_back(
        self,
        stop: asyncio.Event | None = None,
        *,
        prepare: Callable[[], Awaitable[None]] | None = None,
    ) -> bool:
        """Probe until the database answers (True) or `stop` is set (False), waiting as the
        backoff says between probes; a stop interrupts a wait at once. `prepare` runs once the
        server answers, before the outage is declared over."""
        attempt = 0
        while stop is None or not stop.is_set():
            attempt += 1
            try:
                await probe(self._url)
            except DatabaseUnavailable:
                if await _stopped_within(stop, self._backoff.delay(attempt, self._rng)):
                    return False
                continue
            if prepare is not None:
                await prepare()
            self.back()
            return True
        return False


async def _stopped_within(stop: asyncio.Event | None, seconds: float) -> bool:
    """Sleep `seconds`, or less when `stop` is set meanwhile; whether it was."""
    if stop is None:
        await asyncio.sleep(seconds)
        return False
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
