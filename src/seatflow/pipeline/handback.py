"""Handing a booking back to the pipeline: its tables and unconfirmed holds released, status
`pending`, state `assignment_pending` — what a modification, a staff requeue and a floor change
all do before queueing a new assignment job. The booking becomes unplaced demand again, so the
restaurant's reservation version moves (no acceptance planned before it can commit)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from seatflow.domain.states import TERMINAL_STATUSES, AssignmentState, BookingStatus
from seatflow.store.bookings import (
    BookingRecord,
    Transition,
    advance,
    get_booking,
    release_allocations,
)
from seatflow.store.database import Connection
from seatflow.store.holds import release_holds
from seatflow.store.reservations import bump

__all__ = ["back_to_pending", "hand_back", "path_to_pending"]

S = AssignmentState


def path_to_pending(state: AssignmentState) -> tuple[AssignmentState, ...]:
    """The states from `state` to `assignment_pending`; every state may go there directly
    except `created`, which passes `capacity_verified` (the API checked capacity)."""
    if state is S.ASSIGNMENT_PENDING:
        return ()
    if state is S.CREATED:
        return (S.CAPACITY_VERIFIED, S.ASSIGNMENT_PENDING)
    return (S.ASSIGNMENT_PENDING,)


async def back_to_pending(
    conn: Connection, booking: BookingRecord, now: datetime, *, actor: str, why: str
) -> tuple[Transition, ...]:
    """Tables and unconfirmed holds released, status pending, state `assignment_pending`."""
    await release_allocations(conn, booking.id, now)
    await release_holds(conn, booking.id)
    await bump(conn, booking.restaurant_id)
    return await advance(
        conn,
        booking,
        path_to_pending(booking.assignment_state),
        actor=actor,
        reason=why,
        status=BookingStatus.PENDING,
    )


async def hand_back(
    conn: Connection, booking_id: UUID, now: datetime, *, actor: str, why: str
) -> tuple[Transition, ...] | None:
    """`back_to_pending` for a booking known by id, row-locked first; None when it closed (or
    sat down) since it was read: its tables are no longer the pipeline's to give."""
    booking = await get_booking(conn, booking_id, for_update=True)
    if booking is None or booking.status in TERMINAL_STATUSES:
        return None
    return await back_to_pending(conn, booking, now, actor=actor, why=why)
