"""The day sheet and the floor timeline of one restaurant's day (the timeline's grid is also a
partial the page polls, so it refreshes itself without a reload)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seatflow.api.auth import Scope, Stateful
from seatflow.api.ops.auth import OpsScope, OpsUser, SignedIn
from seatflow.api.ops.day_view import DayFilter, day_view
from seatflow.api.ops.pages import chosen_date, read_day
from seatflow.api.ops.render import page
from seatflow.api.ops.timeline_layout import lay_out
from seatflow.api.rules import rules_for
from seatflow.api.state import ApiState

__all__ = ["REFRESH_SECONDS", "router"]

router = APIRouter(prefix="/ops/r/{slug}", include_in_schema=False)
#: How often an open timeline fetches its grid again.
REFRESH_SECONDS = 20


@router.get("/day")
async def day_sheet(
    request: Request,
    user: SignedIn,
    scope: OpsScope,
    state: Stateful,
    date: str | None = None,
    service: str = "",
    status: str = "",
    q: str = "",
) -> Response:
    day = chosen_date(state, scope, date)
    sheet = await read_day(state, scope, day)
    chosen = DayFilter(service=service, status=status, q=q[:80])
    view = day_view(sheet, await rules_for(state, scope), chosen)
    return page(
        request,
        "day.html",
        user=user,
        scope=scope,
        day=day,
        sheet=sheet,
        view=view,
        chosen=chosen,
        tz=scope.floor.plan.timezone,
    )


@router.get("/timeline")
async def timeline(
    request: Request, user: SignedIn, scope: OpsScope, state: Stateful, date: str | None = None
) -> Response:
    return await _timeline(request, user, scope, state, date, "timeline.html")


@router.get("/timeline/grid")
async def timeline_grid(
    request: Request, user: SignedIn, scope: OpsScope, state: Stateful, date: str | None = None
) -> Response:
    """The grid alone: what an open timeline fetches every REFRESH_SECONDS."""
    return await _timeline(request, user, scope, state, date, "_timeline_grid.html")


async def _timeline(
    request: Request,
    user: OpsUser,
    scope: Scope,
    state: ApiState,
    given: str | None,
    template: str,
) -> Response:
    day = chosen_date(state, scope, given)
    sheet = await read_day(state, scope, day)
    return page(
        request,
        template,
        user=user,
        scope=scope,
        day=day,
        timeline=sheet.timeline,
        layout=lay_out(sheet.timeline),
        refresh=REFRESH_SECONDS,
        tz=scope.floor.plan.timezone,
    )
