"""`/v1/restaurants/{slug}/bookings` and `/availability`: thin routes over `api.bookings`."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from seatflow.api import bookings, idempotency, live_service
from seatflow.api.auth import RestaurantScope, Stateful
from seatflow.api.availability import DAY_BUDGET, bookable_starts, restaurant_zone
from seatflow.api.idempotency import REPLAYED_HEADER, IdempotencyKey
from seatflow.api.responses import (
    AVAILABILITY_RESPONSES,
    CANCEL_RESPONSES,
    CREATE_RESPONSES,
    MODIFY_RESPONSES,
    READ_RESPONSES,
)
from seatflow.api.rules import open_starts, rules_for
from seatflow.api.schemas import AvailabilityOut, BookingIn, BookingOut, BookingPatch
from seatflow.api.validation import MAX_AHEAD, check_day, check_party, invalid

__all__ = ["WaitMs", "router"]

router = APIRouter(prefix="/restaurants/{slug}", tags=["bookings"])

WaitMs = Annotated[
    int | None,
    Query(
        ge=0,
        le=5000,
        description="Wait up to this long for the assignment and return its result; "
        "past the deadline the booking comes back pending and the queue finishes it.",
    ),
]


@router.post("/bookings", status_code=201, response_model=BookingOut, responses=CREATE_RESPONSES)
async def post_booking(
    body: BookingIn,
    scope: RestaurantScope,
    state: Stateful,
    response: Response,
    wait_ms: WaitMs = None,
    idempotency_key: IdempotencyKey = None,
) -> BookingOut:
    """Accepted only if the party and every booking accepted but not yet seated can all be seated
    (decided atomically per restaurant; bookings in manual review are staff's and not counted):
    then created pending and enqueued. An accepted booking does not go to review for lack of room.
    """
    async with state.limiter.slot(scope.principal.key_prefix):
        if idempotency_key is None:
            return await bookings.create_booking(state, scope, body, wait_ms)
        view, replayed = await idempotency.create_once(state, scope, body, wait_ms, idempotency_key)
    response.headers[REPLAYED_HEADER] = "true" if replayed else "false"
    return view


@router.get("/bookings/{booking_id}", response_model=BookingOut, responses=READ_RESPONSES)
async def get_booking(booking_id: UUID, scope: RestaurantScope, state: Stateful) -> BookingOut:
    return await bookings.read_booking(state, scope, booking_id)


@router.patch("/bookings/{booking_id}", response_model=BookingOut, responses=MODIFY_RESPONSES)
async def patch_booking(
    booking_id: UUID,
    body: BookingPatch,
    scope: RestaurantScope,
    state: Stateful,
    wait_ms: WaitMs = None,
) -> BookingOut:
    """Change the time and/or party: re-checked, tables released, assigned again. Or, alone,
    `pinned`: staff placed it by hand, and re-packing never moves it."""
    if body.pinned is not None:
        if body.party_size is not None or body.start_at is not None:
            raise invalid("pinned", "set pinned on its own, without party_size or start_at")
        return await live_service.pin_booking(state, scope, booking_id, body.pinned)
    async with state.limiter.slot(scope.principal.key_prefix):
        return await bookings.modify_booking(state, scope, booking_id, body, wait_ms)


@router.post("/bookings/{booking_id}/cancel", response_model=BookingOut, responses=CANCEL_RESPONSES)
async def cancel_booking(booking_id: UUID, scope: RestaurantScope, state: Stateful) -> BookingOut:
    return await bookings.cancel_booking(state, scope, booking_id)


@router.get("/availability", response_model=AvailabilityOut, responses=AVAILABILITY_RESPONSES)
async def get_availability(
    scope: RestaurantScope,
    state: Stateful,
    party_size: Annotated[int, Query(ge=1)],
    day: Annotated[
        date,
        Query(
            alias="date",
            description="The service day, YYYY-MM-DD, in the restaurant's time zone: from "
            "yesterday to 366 days ahead (422 otherwise).",
        ),
    ],
) -> AvailabilityOut:
    """Start times of the day that can seat the party: a 15-minute grid over the service
    periods (11:00–23:00 local without any; none on a closure), less starts whose pacing slot is
    full. A time needing a re-arrangement the search cannot find within its short budget is left
    out."""
    plan, now = scope.floor.plan, state.clock.now()
    check_party(plan, party_size)
    check_day(day, now)
    rules = await rules_for(state, scope)
    async with state.limiter.slot(scope.principal.key_prefix):
        times = await bookable_starts(
            state.pool,
            scope.floor,
            party_size,
            await open_starts(state, scope, rules, day, party_size, now + MAX_AHEAD),
            now=now,
            route=state.route_for(scope.floor),
            budget=DAY_BUDGET,
            offload=state.offload,
            rules=rules,
        )
    return AvailabilityOut(
        restaurant=scope.slug,
        date=day,
        timezone=restaurant_zone(plan).key,
        party_size=party_size,
        times=times,
    )
