"""One booking: its detail (history, every move with its reason, actions) and the actions —
assign tables, requeue, pin, unpin — each through the function the HTTP API calls for the same
action (`api.review`, `api.live_service`), so the console obeys the API's every rule.

With htmx an action answers the fragment it was sent from (`back`: the review item or the detail
panel) as it now stands; without, it redirects to the page (POST, redirect, GET)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from seatflow.api import live_service, review
from seatflow.api.auth import Scope, Stateful
from seatflow.api.bookings import read_booking
from seatflow.api.errors import ApiError
from seatflow.api.ops.auth import CsrfChecked, OpsError, OpsScope, OpsUser, SignedIn
from seatflow.api.ops.render import page
from seatflow.api.ops.review_view import review_item
from seatflow.api.schemas import AssignIn, BookingOut
from seatflow.api.state import ApiState

__all__ = ["router"]

router = APIRouter(prefix="/ops/r/{slug}/bookings/{booking_id}", include_in_schema=False)
Back = Annotated[str, Form()]
#: The most tables a booking may be given (the API's AssignIn bound).
MAX_TABLES = 8


@router.get("")
async def detail(
    request: Request, booking_id: UUID, user: SignedIn, scope: OpsScope, state: Stateful
) -> Response:
    booking = await _or_404(read_booking(state, scope, booking_id))
    return page(request, "_booking.html", user=user, scope=scope, booking=booking, tz=_tz(scope))


@router.post("/assign")
async def assign(
    request: Request,
    booking_id: UUID,
    user: CsrfChecked,
    scope: OpsScope,
    state: Stateful,
    tables: Annotated[str, Form()] = "",
    back: Back = "review",
) -> Response:
    keys = [key.strip() for key in tables.split(",") if key.strip()]
    if not keys or len(keys) > MAX_TABLES:
        raise OpsError(422, f"tables: give 1 to {MAX_TABLES} table keys, comma-separated.")
    done = review.assign_tables(state, scope, booking_id, AssignIn(tables=keys))
    return await _acted(request, user, scope, state, booking_id, done, back, "assigned")


@router.post("/requeue")
async def requeue(
    request: Request,
    booking_id: UUID,
    user: CsrfChecked,
    scope: OpsScope,
    state: Stateful,
    back: Back = "review",
) -> Response:
    done = review.requeue_booking(state, scope, booking_id, None)
    return await _acted(request, user, scope, state, booking_id, done, back, "requeued")


@router.post("/pin")
async def pin(
    request: Request,
    booking_id: UUID,
    user: CsrfChecked,
    scope: OpsScope,
    state: Stateful,
    back: Back = "review",
    pinned: Annotated[str, Form()] = "true",
) -> Response:
    on = pinned != "false"
    done = live_service.pin_booking(state, scope, booking_id, on)
    verb = "pinned" if on else "unpinned"
    return await _acted(request, user, scope, state, booking_id, done, back, verb)


async def _acted(
    request: Request,
    user: OpsUser,
    scope: Scope,
    state: ApiState,
    booking_id: UUID,
    action: Awaitable[BookingOut],
    back: str,
    verb: str,
) -> Response:
    """A refusal (taken tables, a closed booking) shows on the fragment, not as an error page."""
    error: str | None = None
    booking: BookingOut | None = None
    try:
        booking = await _or_404(action)
    except ApiError as exc:
        error = exc.detail
    if not request.headers.get("HX-Request"):
        if error is not None or booking is None:
            raise OpsError(409, error or "refused")
        return RedirectResponse(_page_of(scope, booking, back), status_code=303)
    context: dict[str, Any] = {"scope": scope, "verb": verb, "error": error, "tz": _tz(scope)}
    if back == "review":
        item = await review_item(state, scope, booking_id)
        return page(request, "_review_item.html", user=user, booking=booking, item=item, **context)
    fresh = await _or_404(read_booking(state, scope, booking_id))
    return page(request, "_booking.html", user=user, booking=fresh, **context)


def _page_of(scope: Scope, booking: BookingOut, back: str) -> str:
    if back == "review":
        return f"/ops/r/{scope.slug}/review"
    day = booking.start_at.astimezone(ZoneInfo(_tz(scope))).date()
    return f"/ops/r/{scope.slug}/timeline?date={day}"


async def _or_404(action: Awaitable[BookingOut]) -> BookingOut:
    try:
        return await action
    except ApiError as exc:
        if exc.status == 404:
            raise OpsError(404, exc.detail) from exc
        raise


def _tz(scope: Scope) -> str:
    return scope.floor.plan.timezone
