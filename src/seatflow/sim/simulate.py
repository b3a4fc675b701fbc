"""`seatflow simulate`: a scenario's booking stream through the real database path on a
simulated clock — floor import, bookings in `requested_at` order, the chosen pipeline through the
router (holds, confirm, constraints), retries run when the clock reaches them."""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from seatflow.domain.scenario import RESULT_FORMAT, BookingRequest, Scenario
from seatflow.pipeline.availability import booking_row, plan_for_route, probe
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.flags import PipelineFlags, Route
from seatflow.pipeline.outcome import OutcomeKind
from seatflow.pipeline.shadow import ShadowSubject
from seatflow.planning.model import PlanFailure
from seatflow.store.bookings import insert_booking
from seatflow.store.floors import StoredFloor
from seatflow.store.occupancy import load_occupants
from seatflow.store.simulated import reset_simulated_restaurant

PIPELINES = {"legacy": Route.LEGACY, "v3": Route.V3, "shadow": Route.SHADOW}
#: A booking that keeps bouncing (errors, contention) is given up to review after this many runs.
MAX_INVOCATIONS = 25


def flags_for(pipeline: str, base: PipelineFlags) -> PipelineFlags:
    """--pipeline sets the run's flags: v3 → V3 on; shadow → V3 off, shadow on; legacy → off."""
    route = PIPELINES[pipeline]
    return PipelineFlags(
        v3=route is Route.V3,
        shadow=route is Route.SHADOW,
        max_parallel=base.max_parallel,
    )


@dataclass(slots=True)
class SimulationStats:
    invocations: int = 0
    decision_ms: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass(order=True, slots=True)
class Job:
    """An assignment job due at `at` (ties in the order queued)."""

    at: datetime
    seq: int
    booking_id: UUID = field(compare=False)
    trigger: str = field(compare=False)
    runs: int = field(compare=False, default=0)


class Simulation:
    """One scenario through one pipeline. `router` and `pool` come from bootstrap.services()."""

    def __init__(
        self,
        scenario: Scenario,
        pipeline: str,
        services: Any,
        clock: SimulatedClock,
        *,
        on_progress: Callable[[int], None] | None = None,
        simulated: bool = True,
    ) -> None:
        self.scenario = scenario
        self.simulated = simulated  # its bookings are marked so; False only where tests need it
        self.pipeline = pipeline
        self.route = PIPELINES[pipeline]
        self.services = services
        self.clock = clock
        self.on_progress = on_progress or (lambda _: None)
        self.stats = SimulationStats()
        self._queue: list[Job] = []
        self._seq = 0
        self._refs: dict[UUID, str] = {}
        self._rejected: set[str] = set()

    async def run(self) -> dict[str, Any]:
        pool = self.services.pool
        async with pool.connection() as conn, conn.transaction():
            floor = await reset_simulated_restaurant(conn, self.scenario.floor)
        arrivals = sorted(
            enumerate(self.scenario.bookings), key=lambda pair: (pair[1].requested_at, pair[0])
        )
        for done, (_, request) in enumerate(arrivals, start=1):
            await self._drain(until=request.requested_at)
            self.clock.set(request.requested_at)
            await self._arrive(floor, request)
            await self._drain(until=request.requested_at)
            self.on_progress(done)
        await self._drain(until=None)
        await self.services.sink.flush()
        return await self._result(floor)

    async def _arrive(self, floor: StoredFloor, request: BookingRequest) -> None:
        row = booking_row(floor, request, simulated=self.simulated)
        asked = probe(row)
        async with self.services.pool.connection() as conn:
            occupants = await load_occupants(
                conn, floor, start=row.start_at, end=row.end_at, now=self.clock.now()
            )
            verdict = plan_for_route(
                floor.plan, asked, occupants, self.route, self.services.settings.repack_budget_ms
            )
            if isinstance(verdict, PlanFailure):
                if self.route is Route.SHADOW:  # V3 judges the request the control turned away
                    subject = ShadowSubject(
                        floor=floor.plan,
                        request=asked,
                        occupants=tuple(occupants),
                        restaurant_id=floor.restaurant_id,
                        ref=request.ref,
                    )
                    await self.services.router.shadow.compare(subject, verdict, "request")
                self._rejected.add(request.ref)
                return
            async with conn.transaction():
                booking = await insert_booking(conn, row)
        self._refs[booking.id] = request.ref
        self._push(self.clock.now(), booking.id, "creation", 0)

    def _push(self, at: datetime, booking_id: UUID, trigger: str, runs: int) -> None:
        self._seq += 1
        heapq.heappush(self._queue, Job(at, self._seq, booking_id, trigger, runs))

    async def _drain(self, until: datetime | None) -> None:
        """Run every job due by `until` (all of them when None), advancing the clock to each."""
        while self._queue and (until is None or self._queue[0].at <= until):
            job = heapq.heappop(self._queue)
            self.clock.set(job.at)
            started = time.perf_counter()
            routed = await self.services.router.run(job.booking_id, job.trigger, self.route)
            self.stats.decision_ms.append((time.perf_counter() - started) * 1000)
            self.stats.invocations += 1
            kind = routed.outcome.kind
            self.stats.outcomes[kind.value] = self.stats.outcomes.get(kind.value, 0) + 1
            delay = routed.outcome.delay
            again = kind in (OutcomeKind.RETRY, OutcomeKind.ERROR) or (
                kind is OutcomeKind.NOOP and delay is not None
            )
            if again and job.runs + 1 < MAX_INVOCATIONS:
                when = self.clock.now() + (delay or timedelta(seconds=5))
                self._push(when, job.booking_id, "retry", job.runs + 1)

    async def _result(self, floor: StoredFloor) -> dict[str, Any]:
        async with self.services.pool.connection() as conn:
            rows = await (
                await conn.execute(
                    "SELECT b.ref, b.party_size, b.assignment_state, "
                    "COALESCE(array_agg(t.key ORDER BY t.key) FILTER (WHERE t.key IS NOT NULL), "
                    "'{}') AS tables "
                    "FROM bookings b LEFT JOIN allocations a "
                    "  ON a.booking_id = b.id AND a.released_at IS NULL "
                    "LEFT JOIN tables t ON t.id = a.table_id "
                    "WHERE b.restaurant_id = %s GROUP BY b.id",
                    (floor.restaurant_id,),
                )
            ).fetchall()
        by_ref = {row["ref"]: row for row in rows}
        assignments = []
        covers_seated = confirmed = rejected = review = 0
        for request in self.scenario.bookings:
            row = by_ref.get(request.ref)
            if row is None:
                assignments.append({"ref": request.ref, "outcome": "rejected", "tables": []})
                rejected += 1
            elif row["assignment_state"] == "confirmed" and row["tables"]:
                assignments.append(
                    {"ref": request.ref, "outcome": "confirmed", "tables": list(row["tables"])}
                )
                confirmed += 1
                covers_seated += request.party_size
            else:
                assignments.append({"ref": request.ref, "outcome": "manual_review", "tables": []})
                review += 1
        return {
            "format": RESULT_FORMAT,
            "scenario": self.scenario.name,
            "pipeline": self.pipeline,
            "assignments": assignments,
            "summary": {
                "bookings": len(self.scenario.bookings),
                "confirmed": confirmed,
                "rejected": rejected,
                "manual_review": review,
                "covers_requested": sum(b.party_size for b in self.scenario.bookings),
                "covers_seated": covers_seated,
            },
        }
