"""A whole service day (`seatflow.scenario/v2`) through the paths the API and workers use.

The clock advances through every request, every event of the file and every deadline the system
sets itself (a reservation's grace ending, a seated party's turn ending). At one instant the
file's events come first (in file order), then the system's deadlines (the no-show and overstay
sweeps, run on the simulated clock), then new requests. The system is never told an event before
its time: arrivals, departures and broken tables reach it when they happen, and guests who come
early wait for their start. Assignment jobs (creation, modification, overstay, table out) run
through the router like a worker's, as soon as their time comes.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from seatflow.domain.scenario import BookingRequest
from seatflow.domain.service_day import Arrive, DayEvent, ServiceDay
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.outcome import OutcomeKind
from seatflow.sim.day_actions import DayActions
from seatflow.sim.day_result import day_result
from seatflow.sim.simulate import MAX_INVOCATIONS, PIPELINES, Job
from seatflow.store.floors import load_floor
from seatflow.store.live_service import next_deadline
from seatflow.store.service_rules import save_rules
from seatflow.store.simulated import reset_simulated_restaurant

__all__ = ["ServiceDaySimulation"]

#: At one instant: the file's events, then the system's deadlines, then new requests.
_EVENT, _DEADLINE, _REQUEST = 0, 1, 2
#: A day cannot need more sweeps than this (each moves the clock on); a guard against a loop.
_MAX_SWEEPS = 100_000
#: After the file's last moment the sweeps still run this long (no-shows, late overstays).
_AFTER_THE_DAY = timedelta(hours=12)


@dataclass(order=True, slots=True)
class _Item:
    at: datetime
    phase: int
    seq: int
    payload: DayEvent | BookingRequest = field(compare=False)


class ServiceDaySimulation:
    """One service day through one pipeline; `services` come from bootstrap.services()."""

    def __init__(
        self,
        day: ServiceDay,
        pipeline: str,
        services: Any,
        clock: SimulatedClock,
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.day = day
        self.pipeline = pipeline
        self.route = PIPELINES[pipeline]
        self.services = services
        self.clock = clock
        self.on_progress = on_progress or (lambda _: None)
        self._items: list[_Item] = []
        self._jobs: list[Job] = []
        self._seq = 0
        self.invocations = 0

    async def run(self) -> dict[str, Any]:
        async with self.services.pool.connection() as conn, conn.transaction():
            floor = await reset_simulated_restaurant(conn, self.day.floor)
            await save_rules(conn, floor.restaurant_id, self.day.rules)
            floor = await load_floor(conn, self.day.floor.slug)  # the rules moved its version
        actions = DayActions(
            self.day, floor, self.route, self.services, self.clock, enqueue=self._enqueue
        )
        for request in self.day.bookings:
            self._push(request.requested_at, _REQUEST, request)
        for event in self.day.events:
            self._push(event.at, _EVENT, event)
        done = 0
        last = max((item.at for item in self._items), default=self.clock.now())
        while self._items:
            item = heapq.heappop(self._items)
            await self._until(actions, item.at, inclusive=item.phase > _DEADLINE)
            self.clock.set(item.at)
            later = await actions.handle(item.payload)
            if later is not None:  # early guests wait for their start
                self._push(later, _EVENT, Arrive(at=later, ref=item.payload.ref))  # type: ignore[union-attr]
            await self._drain(item.at)
            done += 1
            self.on_progress(done)
        # The day ends: a party that never left is not swept for ever (it stays seated).
        await self._until(actions, last + _AFTER_THE_DAY, inclusive=True)
        await self.services.sink.flush()
        return await day_result(self.services.pool, self.day, floor, actions, self.pipeline)

    def _push(self, at: datetime, phase: int, payload: DayEvent | BookingRequest) -> None:
        self._seq += 1
        heapq.heappush(self._items, _Item(at, phase, self._seq, payload))

    async def _enqueue(self, booking_id: UUID, trigger: str, at: datetime, runs: int = 0) -> None:
        self._seq += 1
        heapq.heappush(self._jobs, Job(at, self._seq, booking_id, trigger, runs))

    async def _until(self, actions: DayActions, moment: datetime, *, inclusive: bool) -> None:
        """Run the sweeps at every deadline before `moment` (at it too when `inclusive`), each
        at its own time, with the jobs they queue."""
        for _ in range(_MAX_SWEEPS):
            async with self.services.pool.connection() as conn:
                deadline = await next_deadline(conn, actions.floor.restaurant_id)
            if deadline is None or deadline > moment or (deadline == moment and not inclusive):
                return
            deadline = max(deadline, self.clock.now())
            await self._drain(deadline)
            self.clock.set(deadline)
            await actions.sweep(deadline)
            await self._drain(deadline)
        raise RuntimeError("the service day's deadlines did not settle")

    async def _run_job(self, job: Job) -> timedelta | None:
        """One assignment job through the router; the delay before it runs again, or None."""
        routed = await self.services.router.run(job.booking_id, job.trigger, self.route)
        kind, delay = routed.outcome.kind, routed.outcome.delay
        if kind in (OutcomeKind.RETRY, OutcomeKind.ERROR) or (
            kind is OutcomeKind.NOOP and delay is not None
        ):
            return delay or timedelta(seconds=5)
        return None

    async def _drain(self, until: datetime) -> None:
        """Run every assignment job due by `until`, advancing the clock to each."""
        while self._jobs and self._jobs[0].at <= until:
            job = heapq.heappop(self._jobs)
            self.clock.set(max(job.at, self.clock.now()))
            self.invocations += 1
            again = await self._run_job(job)
            if again is not None and job.runs + 1 < MAX_INVOCATIONS:
                await self._enqueue(job.booking_id, "retry", self.clock.now() + again, job.runs + 1)
