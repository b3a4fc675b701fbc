"""The manual-review queue: `/review`, and `/bookings/{id}/assign` and `/requeue`."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from seatflow.api import review
from seatflow.api.auth import RestaurantScope, Stateful
from seatflow.api.responses import ASSIGN_RESPONSES, READ_RESPONSES, REQUEUE_RESPONSES
from seatflow.api.routes_bookings import WaitMs
from seatflow.api.schemas import AssignIn, BookingOut, ReviewOut

__all__ = ["router"]

router = APIRouter(prefix="/restaurants/{slug}", tags=["review"])


@router.get("/review", response_model=ReviewOut, responses=READ_RESPONSES)
async def get_review(scope: RestaurantScope, state: Stateful) -> ReviewOut:
    """Bookings waiting in manual review, soonest first, each with its reason."""
    return await review.list_review(state, scope)


@router.post("/bookings/{booking_id}/assign", response_model=BookingOut, responses=ASSIGN_RESPONSES)
async def assign(
    booking_id: UUID, body: AssignIn, scope: RestaurantScope, state: Stateful
) -> BookingOut:
    """Seat the booking on these tables now (staff's decision, same seating rules)."""
    return await review.assign_tables(state, scope, booking_id, body)


@router.post(
    "/bookings/{booking_id}/requeue", response_model=BookingOut, responses=REQUEUE_RESPONSES
)
async def requeue(
    booking_id: UUID, scope: RestaurantScope, state: Stateful, wait_ms: WaitMs = None
) -> BookingOut:
    """Send the booking back to the pipeline (`assignment_pending`, trigger `requeue`)."""
    return await review.requeue_booking(state, scope, booking_id, wait_ms)
