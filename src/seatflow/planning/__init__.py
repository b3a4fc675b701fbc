"""Pure planning: availability, V3 strategies and scoring, re-packing, and the legacy planner.

No I/O: callers pass a floor plan, the occupants of the service and a request, and get back a
plan or the reason there is none.
"""

from __future__ import annotations

from seatflow.planning.availability import free_tables
from seatflow.planning.engine import plan_v3, rank_plans
from seatflow.planning.legacy import is_hard_failure, legacy_next_attempt, plan_legacy
from seatflow.planning.model import Move, Occupant, Plan, PlanFailure, PlanRequest

__all__ = [
    "Move",
    "Occupant",
    "Plan",
    "PlanFailure",
    "PlanRequest",
    "free_tables",
    "is_hard_failure",
    "legacy_next_attempt",
    "plan_legacy",
    "plan_v3",
    "rank_plans",
]
