"""Shadow mode, after GitHub's Scientist: legacy is the control and its result is applied; V3 is
the candidate, planned read-only on the very snapshot legacy used (planning is pure, so nothing
it decides can persist), timed, its exceptions swallowed and recorded, and the pair published as
one `coordinator.shadow_compare` event."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from seatflow.domain.floor import FloorPlan
from seatflow.pipeline.snapshot import Snapshot
from seatflow.pipeline.telemetry import EventType
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest
from seatflow.store.events import Event, EventSink

SOURCE = "assignment.coordinator"
WORSE = frozenset({"legacy_better", "v3_error"})


def classify(legacy: Plan | PlanFailure, candidate: Plan | PlanFailure | BaseException) -> str:
    """same | equivalent | v3_better | legacy_better | v3_error.

    Two different but valid table sets are `equivalent`, not a mismatch: only placing a booking
    the other could not place (or failing one it could) is better or worse.
    """
    if isinstance(candidate, BaseException):
        return "v3_error"
    legacy_placed, v3_placed = isinstance(legacy, Plan), isinstance(candidate, Plan)
    if legacy_placed and v3_placed:
        assert isinstance(legacy, Plan) and isinstance(candidate, Plan)
        return "same" if legacy.tables == candidate.tables else "equivalent"
    if legacy_placed:
        return "legacy_better"
    if v3_placed:
        return "v3_better"
    return "same"


def describe(
    result: Plan | PlanFailure | BaseException, party_size: int, capacities: dict[str, int]
) -> dict[str, Any]:
    if isinstance(result, BaseException):
        return {"outcome": "error", "error": type(result).__name__, "tables": [], "score": None}
    if isinstance(result, PlanFailure):
        return {"outcome": "failed", "reason": result.reason, "tables": [], "score": None}
    seats = sum(capacities[key] for key in result.tables)
    return {
        "outcome": "placed",
        "tables": list(result.tables),
        "score": round(result.score, 4),
        "strategy": result.strategy,
        "wasted_seats": seats - party_size,
        "moves": len(result.moves),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class ShadowSubject:
    """What the control planned on: the floor, the request and the occupancy it saw."""

    floor: FloorPlan
    request: PlanRequest
    occupants: tuple[Occupant, ...]
    booking_id: UUID | None = None  # None for a request that was rejected, never created
    restaurant_id: UUID | None = None
    ref: str | None = None

    @classmethod
    def of(cls, snapshot: Snapshot) -> ShadowSubject:
        return cls(
            floor=snapshot.floor.plan,
            request=snapshot.request,
            occupants=snapshot.occupants,
            booking_id=snapshot.booking.id,
            restaurant_id=snapshot.booking.restaurant_id,
            ref=snapshot.booking.ref,
        )


class ShadowExperiment:
    def __init__(self, sink: EventSink, *, repack_budget_ms: int) -> None:
        self._sink = sink
        self._budget = repack_budget_ms

    async def compare(
        self, subject: ShadowSubject, legacy: Plan | PlanFailure, trigger: str
    ) -> str:
        """Run the candidate on the control's inputs and publish the comparison."""
        started = time.perf_counter()
        candidate: Plan | PlanFailure | BaseException
        try:
            candidate = await asyncio.to_thread(  # never on the event loop
                plan_v3,
                subject.floor,
                subject.request,
                subject.occupants,
                repack_budget_ms=self._budget,
            )
        except Exception as exc:  # the candidate never breaks the control
            candidate = exc
        duration_ms = (time.perf_counter() - started) * 1000
        classification = classify(legacy, candidate)
        capacities = {t.key: t.capacity for t in subject.floor.tables}
        party = subject.request.party_size
        with contextlib.suppress(Exception):  # telemetry never breaks an assignment
            self._sink.emit(
                Event(
                    source=SOURCE,
                    event_type=EventType.SHADOW_COMPARE,
                    severity="warning" if classification in WORSE else "info",
                    booking_id=subject.booking_id,
                    restaurant_id=subject.restaurant_id,
                    context={
                        "trigger": trigger,
                        "mode": "shadow",
                        "ref": subject.ref,
                        "legacy": describe(legacy, party, capacities),
                        "v3": describe(candidate, party, capacities),
                        "classification": classification,
                        "v3_duration_ms": round(duration_ms, 3),
                    },
                )
            )
        return classification
