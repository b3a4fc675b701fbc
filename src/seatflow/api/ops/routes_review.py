"""The review queue: each booking waiting for a human, why, and the ranked table sets to seat it
on (the actions are in `routes_booking`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seatflow.api.auth import Stateful
from seatflow.api.ops.auth import OpsScope, SignedIn
from seatflow.api.ops.render import page
from seatflow.api.ops.review_view import review_items

__all__ = ["router"]

router = APIRouter(prefix="/ops/r/{slug}", include_in_schema=False)


@router.get("/review")
async def review_page(
    request: Request, user: SignedIn, scope: OpsScope, state: Stateful
) -> Response:
    items = await review_items(state, scope)
    return page(
        request, "review.html", user=user, scope=scope, items=items, tz=scope.floor.plan.timezone
    )
