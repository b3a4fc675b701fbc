"""Taking a booking request the way a booking surface does: check availability, then write the
booking and its assignment job in one transaction — or turn the request away.

The demo and the throughput benchmark feed scenario streams through this; the HTTP API has its
own handler with the same shape (booking + `AssignmentQueue.enqueue` in one transaction).
"""

from __future__ import annotations

from datetime import datetime

from seatflow.domain.scenario import BookingRequest
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.availability import booking_row, check_availability, probe
from seatflow.pipeline.flags import Route
from seatflow.planning.model import PlanFailure
from seatflow.store.bookings import BookingRecord, insert_booking
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor

__all__ = ["CREATION_TRIGGER", "take_request"]

CREATION_TRIGGER = "creation"


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
    row = booking_row(floor, request)
    async with conn.transaction():
        verdict = await check_availability(
            conn, floor, probe(row), now=now, route=route, repack_budget_ms=repack_budget_ms
        )
        if isinstance(verdict, PlanFailure):
            return None
        booking = await insert_booking(conn, row)
        await queue.enqueue(conn, booking.id, CREATION_TRIGGER, new_booking=True)
    return booking
