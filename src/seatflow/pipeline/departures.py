"""Guests leaving, and guests who never came.

A departure frees the party's tables from now plus the buffer, so later bookings and walk-ins may
use the time. A no-show (the grace deadline passed with nobody seated, or staff said so) releases
the tables at once. Both are status changes with an outbox row, made on the booking's row lock;
both move the restaurant's reservation version, since what it can promise changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.errors import BookingClosed
from seatflow.pipeline.floor_change import JobQueue
from seatflow.store.bookings import (
    BookingRecord,
    advance,
    release_allocations,
    require_booking,
)
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.holds import release_holds
from seatflow.store.live_service import change_status, end_stay, waiting_for_tables
from seatflow.store.reservations import bump

__all__ = ["DEPARTURE", "EXPECTED_GUESTS", "depart", "mark_no_show", "requeue_waiting"]

#: The trigger of the jobs a departure queues for bookings still waiting for tables.
DEPARTURE = "departure"
#: How far ahead a departure looks for bookings still waiting for tables.
LOOKAHEAD = timedelta(hours=4)

#: A reservation still waiting for its guests: placed or not yet.
EXPECTED_GUESTS = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


async def depart(
    conn: Connection, floor: StoredFloor, booking_id: UUID, *, now: datetime
) -> BookingRecord:
    """The seated party left: `completed`, tables free from now plus the buffer."""
    booking = await require_booking(conn, booking_id, for_update=True)
    if booking.status is not BookingStatus.SEATED:
        raise BookingClosed(f"booking {booking.id} is {booking.status}, not seated")
    buffer = timedelta(minutes=floor.plan.policy.buffer_minutes)
    await end_stay(conn, booking.id, free_from=now + buffer)
    await change_status(
        conn,
        booking.id,
        BookingStatus.COMPLETED,
        expected=(BookingStatus.SEATED,),
        at=now,
        reason="departed",
    )
    await bump(conn, booking.restaurant_id)
    return await require_booking(conn, booking.id)


async def mark_no_show(
    conn: Connection, booking_id: UUID, *, now: datetime, reason: str
) -> BookingRecord | None:
    """Release a reservation whose guests did not come; None when it was no longer waiting for
    them (seated, cancelled, already a no-show) — a sweep racing an arrival loses quietly."""
    booking = await require_booking(conn, booking_id, for_update=True)
    if booking.status not in EXPECTED_GUESTS:
        return None
    await release_allocations(conn, booking.id, now)
    await release_holds(conn, booking.id)
    await change_status(
        conn, booking.id, BookingStatus.NO_SHOW, expected=EXPECTED_GUESTS, at=now, reason=reason
    )
    await bump(conn, booking.restaurant_id)
    return await require_booking(conn, booking.id)


async def requeue_waiting(
    conn: Connection, restaurant_id: UUID, *, now: datetime, queue: JobQueue, actor: str
) -> list[UUID]:
    """Tables just freed: every accepted reservation still without tables whose guests are
    expected soon gets another assignment run (from review too), before a walk-in takes them."""
    waiting = await waiting_for_tables(conn, restaurant_id, now=now, until=now + LOOKAHEAD)
    queued = []
    for booking_id in waiting:
        booking = await require_booking(conn, booking_id, for_update=True)
        if booking.assignment_state is AssignmentState.MANUAL_REVIEW:
            await advance(
                conn,
                booking,
                (AssignmentState.ASSIGNMENT_PENDING,),
                actor=actor,
                reason=DEPARTURE,
            )
        await queue.enqueue(conn, booking_id, DEPARTURE)
        queued.append(booking_id)
    return queued
