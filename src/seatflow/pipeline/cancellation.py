"""Cancelling a booking: tables and unconfirmed holds released, state `cancelled` — its own
terminal state, never a failure. The one path the API and a simulated day share."""

from __future__ import annotations

from datetime import datetime

from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.errors import BookingClosed
from seatflow.store.bookings import BookingRecord, Transition, advance, release_allocations
from seatflow.store.database import Connection
from seatflow.store.holds import release_holds

__all__ = ["cancel"]


async def cancel(
    conn: Connection, booking: BookingRecord, *, now: datetime, actor: str
) -> tuple[Transition, ...]:
    """Cancel a row-locked booking; a cancelled one is a no-op (no steps), a seated, completed
    or no-show one is closed (BookingClosed)."""
    if booking.status is BookingStatus.CANCELLED:
        return ()
    if booking.status in (BookingStatus.SEATED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        raise BookingClosed(f"booking {booking.id} is {booking.status}")
    await release_allocations(conn, booking.id, now)
    await release_holds(conn, booking.id)
    return await advance(
        conn,
        booking,
        (AssignmentState.CANCELLED,),
        actor=actor,
        reason="cancelled",
        status=BookingStatus.CANCELLED,
    )
