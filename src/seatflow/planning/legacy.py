"""The legacy planner (interim version until the planning work lands)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from seatflow.domain.combinations import combinations_for
from seatflow.domain.floor import FloorPlan
from seatflow.planning.model import NO_CAPACITY, Occupant, Plan, PlanFailure, PlanRequest

LEGACY_RETRY_DELAYS = (5, 15, 45)


def _free(floor: FloorPlan, request: PlanRequest, occupants: Sequence[Occupant]) -> set[str]:
    taken = {
        t for o in occupants if o.start < request.end and request.start < o.end for t in o.tables
    }
    return {t.key for t in floor.tables} - taken


def plan_legacy(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    spare_seat_cap: int = 4,
) -> Plan | PlanFailure:
    free = _free(floor, request, occupants)
    fits = [c for c in combinations_for(floor, request.party_size) if set(c.tables) <= free]
    fits = [c for c in fits if c.size == 1 or c.capacity - request.party_size <= spare_seat_cap]
    if not fits:
        return PlanFailure(reason=NO_CAPACITY)
    best = min(fits, key=lambda c: (c.size, c.capacity, c.tables))
    strategy = "legacy_best_fit" if best.size == 1 else "legacy_combination"
    return Plan(tables=best.tables, strategy=strategy, score=float(best.capacity))


def legacy_next_attempt(attempt_no: int, now: datetime, start_at: datetime) -> datetime | None:
    if attempt_no > len(LEGACY_RETRY_DELAYS):
        return None
    at = now + timedelta(seconds=LEGACY_RETRY_DELAYS[attempt_no - 1])
    return None if start_at - at <= timedelta(minutes=10) else at


def is_hard_failure(reason: str) -> bool:
    return reason in {NO_CAPACITY, "party_too_large"}
