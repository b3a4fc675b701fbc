"""What the restaurant pages share: the day asked for (the restaurant's today by default) and
reading the day sheet through the store's read model."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from seatflow.api.auth import Scope
from seatflow.api.ops.auth import OpsError
from seatflow.api.state import ApiState
from seatflow.store.day_sheet import DaySheet, load_day_sheet

__all__ = ["chosen_date", "read_day"]


def chosen_date(state: ApiState, scope: Scope, given: str | None) -> date:
    """`given` (YYYY-MM-DD), else today on the restaurant's clock."""
    if not given:
        return state.clock.now().astimezone(ZoneInfo(scope.floor.plan.timezone)).date()
    try:
        return date.fromisoformat(given)
    except ValueError:
        raise OpsError(422, f"date: want YYYY-MM-DD, got {given[:20]!r}") from None


async def read_day(state: ApiState, scope: Scope, day: date) -> DaySheet:
    async with state.pool.connection() as conn:
        return await load_day_sheet(conn, scope.floor.restaurant_id, day, now=state.clock.now())
