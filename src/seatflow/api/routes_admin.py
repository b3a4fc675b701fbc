"""Admin-only views: the rollout gate and the event log — the evidence the runbook reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from seatflow.api.auth import Admin, Stateful, find_floor, restaurant_not_found
from seatflow.api.schemas import ErrorOut, EventOut, GateOut, PipelineOut, RolloutOut
from seatflow.pipeline.rollout_gate import PipelineStats, evaluate, summarise
from seatflow.store.reads import EventFilter, search_events
from seatflow.store.rollout import lock_contention, outcome_rows, shadow_counts

__all__ = ["router"]

router = APIRouter(tags=["admin"])
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut},
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
}
DEFAULT_WINDOW = timedelta(hours=6)
#: Names as producers write them (`assignment.coordinator`, `coordinator.start`, …).
EventName = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.:-]{1,200}$")]


@router.get("/rollout/status", response_model=RolloutOut, responses=_ERRORS)
async def rollout_status(
    _: Admin,
    state: Stateful,
    since: Annotated[AwareDatetime | None, Query(description="ISO-8601; default 6 h ago.")] = None,
    restaurant: Annotated[str | None, Query(description="Only this restaurant (slug).")] = None,
) -> RolloutOut:
    """Outcomes per pipeline, shadow agreement, lock contention and the GO / NO-GO gate."""
    start = since or state.clock.now() - DEFAULT_WINDOW
    restaurant_id: UUID | None = None
    if restaurant is not None:
        floor = await find_floor(state, restaurant)
        if floor is None:
            raise restaurant_not_found(restaurant)
        restaurant_id = floor.restaurant_id
    async with state.pool.connection() as conn:
        stats = summarise(await outcome_rows(conn, start, restaurant_id))
        shadow = await shadow_counts(conn, start, restaurant_id)
        contention = await lock_contention(conn, start, restaurant_id)
    gate = evaluate(stats, shadow, lock_contention=contention)
    return RolloutOut(
        since=start,
        restaurant=restaurant,
        pipelines={name: _pipeline(s) for name, s in sorted(stats.items())},
        shadow=shadow,
        lock_contention=contention,
        gate=GateOut(go=gate.go, reasons=list(gate.reasons)),
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
