"""Taking a booking request the way a booking surface does: check availability, then write the
booking and its assignment job in one transaction — or turn the request away.

The demo and the throughput benchmark feed scenario streams through this; the HTTP API has its
own handler with the same shape (booking + `AssignmentQueue.enqueue` in one transaction).
"""

from __future__ import annotations

from datetime import datetime

from seatflow.domain.scenario import BookingRequest
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.availability import check_availability
from seatflow.pipeline.flags import Route
from seatflow.planning.model import PlanFailure, PlanRequest
from seatflow.store.bookings import BookingRecord, NewBooking, insert_booking
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor

__all__ = ["CREATION_TRIGGER", "new_booking", "take_request"]

CREATION_TRIGGER = "creation"


def new_booking(floor: StoredFloor, request: BookingRequest) -> NewBooking:
    """The row of an accepted request, its window from the restaurant's turn times."""
    start, end = floor.plan.policy.occupancy(
        request.start_at, request.party_size, request.duration_minutes
    )
    return NewBooking(
        restaurant_id=floor.restaurant_id,
        ref=request.ref,
        party_size=request.party_size,
        start_at=start,
        end_at=end,
        duration_minutes=request.duration_minutes,
        zone_preference=request.zone_preference,
        requested_at=request.requested_at,
    )


async def take_request(
    conn: Connection,
    floor: StoredFloor,
    request: BookingRequest,
    queue: ProcrastinateQueue,
    *,
    now: datetime,
    route: Route = Route.V3,
    repack_budget_ms: int = 2000,
) -> BookingRecord | None:
    """The booking with its job (committed together), or None when the floor cannot seat it."""
    row = new_booking(floor, request)
    probe = PlanRequest(
        booking_id=f"request:{request.ref}",
        party_size=row.party_size,
        start=row.start_at,
        end=row.end_at,
        zone_preference=row.zone_preference,
    )
    async with conn.transaction():
        verdict = await check_availability(
            conn, floor, probe, now=now, route=route, repack_budget_ms=repack_budget_ms
        )
        if isinstance(verdict, PlanFailure):
            return None
        booking = await insert_booking(conn, row)
        await queue.enqueue(conn, booking.id, CREATION_TRIGGER, new_booking=True)
    return booking
