"""The rollout page: the gate's verdict with every check's figure, threshold and sample (the
report `seatflow rollout status` prints), the evidence over time as charts, and the flags this
process runs with. An admin key sees every restaurant; a restaurant key its own share alone."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seatflow.api.auth import Stateful, find_floor
from seatflow.api.ops.auth import OpsError, OpsUser, SignedIn
from seatflow.api.ops.render import page
from seatflow.api.ops.rollout_view import bucket_for, charts
from seatflow.api.state import ApiState
from seatflow.pipeline.rollout_report import read_report
from seatflow.store.rollout import EvidenceWindow
from seatflow.store.rollout_series import read_series

__all__ = ["WINDOWS", "router"]

router = APIRouter(prefix="/ops", include_in_schema=False)
#: The windows the page offers, by their label.
WINDOWS = {"1h": timedelta(hours=1), "6h": timedelta(hours=6), "24h": timedelta(days=1),
           "7d": timedelta(days=7)}  # fmt: skip


@router.get("/rollout")
async def rollout(
    request: Request,
    user: SignedIn,
    state: Stateful,
    since: str = "6h",
    restaurant: str = "",
    simulated: bool = False,
) -> Response:
    if since not in WINDOWS:
        raise OpsError(422, f"since: use one of {', '.join(WINDOWS)}")
    now = state.clock.now()
    window = EvidenceWindow(
        since=now - WINDOWS[since],
        restaurant_id=await _restaurant(state, user, restaurant),
        include_simulated=simulated,
    )
    async with state.pool.connection() as conn:
        report = await read_report(conn, window)
        series = await read_series(conn, window, bucket_for(WINDOWS[since]))
    return page(
        request,
        "rollout.html",
        user=user,
        report=report,
        charts=charts(series, window.since, now),
        flags=state.services.router.flags,
        since=since,
        windows=list(WINDOWS),
        restaurant=user.restaurant_slug or restaurant,
        simulated=simulated,
        bucket=bucket_for(WINDOWS[since]),
    )


async def _restaurant(state: ApiState, user: OpsUser, slug: str) -> UUID | None:
    """A restaurant key is held to its own restaurant; an admin may narrow to one (by slug)."""
    if not user.principal.is_admin:
        return user.principal.restaurant_id
    if not slug:
        return None
    floor = await find_floor(state, slug)
    if floor is None:
        raise OpsError(404, f"No restaurant {slug!r}.")
    return floor.restaurant_id
