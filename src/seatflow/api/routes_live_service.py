"""The live service over HTTP: arrivals, departures, no-shows, walk-ins and broken tables —
thin routes over `api.live_service` and `api.table_blocks`. (Pinning is `PATCH` on a booking.)"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from seatflow.api import live_service, table_blocks
from seatflow.api.auth import RestaurantScope, Stateful
from seatflow.api.responses import (
    ARRIVE_RESPONSES,
    BLOCK_RESPONSES,
    CANCEL_RESPONSES,
    DEPART_RESPONSES,
    READ_RESPONSES,
    UNDO_NO_SHOW_RESPONSES,
    WALK_IN_RESPONSES,
)
from seatflow.api.routes_bookings import WaitMs
from seatflow.api.schemas import BlockedOut, BlockIn, BlockOut, BlocksOut, BookingOut, WalkInIn

__all__ = ["router"]

router = APIRouter(prefix="/restaurants/{slug}", tags=["live service"])
BOOKING = "/bookings/{booking_id}"


@router.post(f"{BOOKING}/arrive", response_model=BookingOut, responses=ARRIVE_RESPONSES)
async def post_arrive(booking_id: UUID, scope: RestaurantScope, state: Stateful) -> BookingOut:
    """The guests are here: seated now — on their tables if free, otherwise on other free
    tables (bookings not yet seated may be re-packed). Seated guests are never moved again."""
    return await live_service.arrive(state, scope, booking_id)


@router.post(f"{BOOKING}/depart", response_model=BookingOut, responses=DEPART_RESPONSES)
async def post_depart(booking_id: UUID, scope: RestaurantScope, state: Stateful) -> BookingOut:
    """The guests left: `completed`; the tables are free from now plus the buffer."""
    return await live_service.depart_booking(state, scope, booking_id)


@router.post(f"{BOOKING}/no-show", response_model=BookingOut, responses=CANCEL_RESPONSES)
async def post_no_show(booking_id: UUID, scope: RestaurantScope, state: Stateful) -> BookingOut:
    """The guests will not come: `no_show`, tables released now (the periodic sweep does the
    same at the grace deadline)."""
    return await live_service.no_show(state, scope, booking_id)


@router.delete(f"{BOOKING}/no-show", response_model=BookingOut, responses=UNDO_NO_SHOW_RESPONSES)
async def delete_no_show(
    booking_id: UUID, scope: RestaurantScope, state: Stateful, wait_ms: WaitMs = None
) -> BookingOut:
    """Take a no-show back while its tables are still free: pending again, and assigned."""
    return await live_service.undo_no_show(state, scope, booking_id, wait_ms)


@router.post("/walk-ins", status_code=201, response_model=BookingOut, responses=WALK_IN_RESPONSES)
async def post_walk_in(body: WalkInIn, scope: RestaurantScope, state: Stateful) -> BookingOut:
    """Guests at the door without a booking: seated now, or 409 with when a table frees.
    A walk-in never pushes a booked guest out, and does not count against pacing."""
    return await live_service.walk_in(state, scope, body)


@router.post(
    "/tables/{table}/blocks",
    status_code=201,
    response_model=BlockedOut,
    responses=BLOCK_RESPONSES,
)
async def post_block(
    table: str, body: BlockIn, scope: RestaurantScope, state: Stateful
) -> BlockedOut:
    """The table is out of use over [from, until): bookings not yet seated on it then move
    elsewhere or go to review; nothing is booked onto it then."""
    return await table_blocks.add_block(state, scope, table, body)


@router.delete(
    "/tables/{table}/blocks/{block_id}", response_model=BlockOut, responses=BLOCK_RESPONSES
)
async def delete_block(
    table: str, block_id: UUID, scope: RestaurantScope, state: Stateful
) -> BlockOut:
    """The table is back in use; returns the block that ended."""
    return await table_blocks.lift_block(state, scope, table, block_id)


@router.get("/blocks", response_model=BlocksOut, responses=READ_RESPONSES)
async def get_blocks(scope: RestaurantScope, state: Stateful) -> BlocksOut:
    """The restaurant's live blocks, soonest first."""
    return await table_blocks.list_blocks(state, scope)
