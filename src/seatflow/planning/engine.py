"""The V3 engine (interim version until the planning work lands)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from seatflow.domain.floor import FloorPlan
from seatflow.planning.legacy import plan_legacy
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest


def plan_v3(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    repack_budget_ms: int = 2000,
    history: Mapping[tuple[str, ...], float] | None = None,
) -> Plan | PlanFailure:
    result = plan_legacy(floor, request, occupants, spare_seat_cap=99)
    if isinstance(result, Plan):
        return Plan(tables=result.tables, strategy="optimal_fit", score=result.score)
    return result
