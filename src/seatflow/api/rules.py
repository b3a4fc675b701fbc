"""The restaurant's service rules at the API: read once per floor version, and what they refuse.

Hours and closures need no database; pacing is counted on a connection. The API checks pacing
twice: before planning (a full slot is refused without a planner run) and again inside the
transaction that claimed the reservation version (`api.acceptance`), where the count and the
insert are one atomic step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from seatflow.api.auth import Scope
from seatflow.api.availability import within_pacing
from seatflow.api.errors import ApiError
from seatflow.api.state import ApiState
from seatflow.domain.service import CLOSED, OUTSIDE_SERVICE_HOURS, PACING, ServiceRules

__all__ = ["open_starts", "rules_for", "rules_refused"]

_DETAILS = {
    OUTSIDE_SERVICE_HOURS: "the restaurant does not seat at that time",
    CLOSED: "the restaurant is closed that day",
    PACING: "the kitchen's pacing is full at that time",
}


async def rules_for(state: ApiState, scope: Scope) -> ServiceRules:
    """The restaurant's rules for the floor version the request holds (cached with it)."""
    floor = scope.floor
    cached = state.rules.cached(floor.restaurant_id, floor.version)
    if cached is not None:
        return cached
    async with state.pool.connection() as conn, conn.transaction():
        return await state.rules.get(conn, floor.restaurant_id, floor.version)


def rules_refused(reason: str, alternatives: Sequence[datetime] = ()) -> ApiError:
    """409 `outside_service_hours`, `closed` or `pacing`, with the nearby times that fit."""
    return ApiError(
        409,
        reason,
        _DETAILS.get(reason, reason),
        field="start_at",
        alternatives=[t.isoformat() for t in alternatives],
    )


async def open_starts(
    state: ApiState,
    scope: Scope,
    rules: ServiceRules,
    day: date,
    party_size: int,
    horizon: datetime,
) -> list[datetime]:
    """The day's grid from the service periods (11:00–23:00 without any), up to `horizon`, less
    the starts whose pacing slot is full for the party."""
    now = state.clock.now()
    starts = [s for s in rules.service_starts(day) if now < s <= horizon]
    return await within_pacing(state.pool, scope.floor.restaurant_id, rules, starts, party_size)
