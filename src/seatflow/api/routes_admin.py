"""Admin-only views: the rollout gate and the event log — the evidence the runbook reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from seatflow.api.auth import Admin, Stateful, find_floor, restaurant_not_found
from seatflow.api.schemas import (
    CheckOut,
    ErrorOut,
    EventOut,
    GateOut,
    PipelineOut,
    RestaurantGateOut,
    RolloutOut,
)
from seatflow.pipeline.rollout_gate import GateResult, Thresholds
from seatflow.pipeline.rollout_report import read_report
from seatflow.pipeline.rollout_stats import PipelineStats
from seatflow.store.reads import EventFilter, search_events
from seatflow.store.rollout import EvidenceWindow

__all__ = ["router"]

router = APIRouter(tags=["admin"])
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut},
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
}
DEFAULT_WINDOW = timedelta(hours=6)
_DEFAULTS = Thresholds()
_MAX_SAMPLE = 1_000_000
#: Names as producers write them (`assignment.coordinator`, `coordinator.start`, …).
EventName = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.:-]{1,200}$")]


@router.get("/rollout/status", response_model=RolloutOut, responses=_ERRORS)
async def rollout_status(
    _: Admin,
    state: Stateful,
    since: Annotated[AwareDatetime | None, Query(description="ISO-8601; default 6 h ago.")] = None,
    restaurant: Annotated[str | None, Query(description="Only this restaurant (slug).")] = None,
    min_outcomes: Annotated[
        int, Query(ge=1, le=_MAX_SAMPLE, description="V3 outcomes before its rates are judged.")
    ] = _DEFAULTS.min_outcomes,
    min_comparisons: Annotated[
        int, Query(ge=1, le=_MAX_SAMPLE, description="Shadow comparisons before they are judged.")
    ] = _DEFAULTS.min_comparisons,
    include_simulated: Annotated[
        bool, Query(description="Count events of `seatflow simulate` / `demo` runs too.")
    ] = False,
) -> RolloutOut:
    """Outcomes per pipeline, shadow agreement, lock contention, and the gate — GO, NO-GO or
    INSUFFICIENT EVIDENCE — with every check's figure, threshold and sample, in total and per
    restaurant (one restaurant judged NO-GO makes the whole gate NO-GO)."""
    restaurant_id: UUID | None = None
    if restaurant is not None:
        floor = await find_floor(state, restaurant)
        if floor is None:
            raise restaurant_not_found(restaurant)
        restaurant_id = floor.restaurant_id
    window = EvidenceWindow(
        since=since or state.clock.now() - DEFAULT_WINDOW,
        restaurant_id=restaurant_id,
        include_simulated=include_simulated,
    )
    limits = Thresholds(min_outcomes=min_outcomes, min_comparisons=min_comparisons)
    async with state.pool.connection() as conn:
        report = await read_report(conn, window, limits)
    return RolloutOut(
        since=window.since,
        restaurant=restaurant,
        include_simulated=include_simulated,
        pipelines={name: _pipeline(s) for name, s in sorted(report.stats.items())},
        shadow=report.shadow,
        lock_contention=report.lock_contention,
        gate=GateOut(**_gate(report.gate)),
        restaurants=[
            RestaurantGateOut(restaurant=r.name or "", shadow=r.shadow, **_gate(r.gate))
            for r in report.restaurants
        ],
    )


@router.get("/events", response_model=list[EventOut], responses=_ERRORS)
async def events(
    _: Admin,
    state: Stateful,
    source: EventName = None,
    event_type: EventName = None,
    since: AwareDatetime | None = None,
    booking_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[EventOut]:
    """observability_events matching every filter given, newest first."""
    search = EventFilter(
        source=source, event_type=event_type, since=since, booking_id=booking_id, limit=limit
    )
    async with state.pool.connection() as conn:
        rows = await search_events(conn, search)
    return [EventOut(**_event(row)) for row in rows]


def _event(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in EventOut.model_fields}


def _gate(gate: GateResult) -> dict[str, Any]:
    return {
        "verdict": gate.verdict,
        "go": gate.go,
        "reasons": list(gate.reasons),
        "checks": [CheckOut.model_validate(c, from_attributes=True) for c in gate.checks],
    }


def _pipeline(stats: PipelineStats) -> PipelineOut:
    return PipelineOut(
        confirmed=stats.confirmed,
        manual_review=stats.manual_review,
        errors=stats.errors,
        success_rate=stats.success_rate,
        review_rate=stats.review_rate,
        retries={reason: count for reason, (count, _) in stats.retries.items()},
        noops=dict(stats.noops),
    )
