"""The legacy planner — the path being retired, kept honest as the control for shadow mode.

It sees only the tables free right now: the smallest single table that seats the party, else
the adjacent combination with the fewest tables and then the fewest spare seats (capped). It
never moves anyone. The retry schedule of the legacy job loop lives here too, as pure helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import free_tables
from seatflow.planning.index import candidates_for
from seatflow.planning.model import (
    NO_CAPACITY,
    PARTY_TOO_LARGE,
    Occupant,
    Plan,
    PlanFailure,
    PlanRequest,
)

__all__ = [
    "HARD_FAILURES",
    "LEGACY_CUTOFF",
    "LEGACY_RETRY_DELAYS",
    "is_hard_failure",
    "legacy_next_attempt",
    "plan_legacy",
]

BEST_FIT = "legacy_best_fit"
COMBINATION = "legacy_combination"
#: Seconds to wait after failed attempt 1, 2, 3; there is no fourth.
LEGACY_RETRY_DELAYS = (5, 15, 45)
#: No retry is scheduled this close to the booking's start: hosts take over.
LEGACY_CUTOFF = timedelta(minutes=10)
#: Reasons no retry can cure: the floor cannot seat the party as it stands.
HARD_FAILURES = frozenset({PARTY_TOO_LARGE, NO_CAPACITY})


def plan_legacy(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    spare_seat_cap: int = 4,
) -> Plan | PlanFailure:
    """Best-fit single table, else the tightest adjacent combination of free tables."""
    candidates = candidates_for(floor, request.party_size)
    if not candidates:
        return PlanFailure(reason=PARTY_TOO_LARGE)
    free = free_tables(floor, request.start, request.end, occupants, request.booking_id)
    party = request.party_size
    singles = [c.combo for c in candidates if c.combo.size == 1 and c.combo.tables[0] in free]
    if singles:
        best = min(singles, key=lambda c: (c.capacity, c.tables))
        return Plan(tables=best.tables, strategy=BEST_FIT, score=_score(best.capacity - party))
    joined = [
        c.combo
        for c in candidates
        if c.combo.size > 1
        and c.combo.capacity - party <= spare_seat_cap
        and all(key in free for key in c.combo.tables)
    ]
    if not joined:
        return PlanFailure(reason=NO_CAPACITY)
    best = min(joined, key=lambda c: (c.size, c.capacity, c.tables))
    return Plan(tables=best.tables, strategy=COMBINATION, score=_score(best.capacity - party))


def _score(spare_seats: int) -> float:
    return 1.0 / (1.0 + spare_seats)


def legacy_next_attempt(attempt_no: int, now: datetime, start_at: datetime) -> datetime | None:
    """When to try again after failed attempt ``attempt_no`` (1-based), or None to stop.

    None once the three delays are spent, or when the retry would land within the cutoff
    before the booking starts.
    """
    if not 1 <= attempt_no <= len(LEGACY_RETRY_DELAYS):
        return None
    next_at = now + timedelta(seconds=LEGACY_RETRY_DELAYS[attempt_no - 1])
    if start_at - next_at <= LEGACY_CUTOFF:
        return None
    return next_at


def is_hard_failure(reason: str) -> bool:
    """Nothing can fit (hard: review now); conflicts and timeouts are transient (retry)."""
    return reason in HARD_FAILURES
