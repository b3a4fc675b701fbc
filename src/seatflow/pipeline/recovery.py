"""The recovery sweep: bookings a dead worker left in `assignment_in_progress` or `assigned` go
back to `assignment_pending` with a history reason, so a job can pick them up again."""

from __future__ import annotations

from datetime import timedelta

from seatflow.domain.states import AssignmentState
from seatflow.store.bookings import Transition, stuck_bookings, transition
from seatflow.store.database import Connection
from seatflow.store.holds import release_holds
from seatflow.store.locks import try_lock_booking

REASON = "recovered: the worker processing it stopped"


async def recover_stuck_bookings(
    conn: Connection, *, older_than: timedelta = timedelta(minutes=1)
) -> list[Transition]:
    """Return stuck bookings to pending in the caller's transaction; skip any a worker holds."""
    recovered = []
    for booking in await stuck_bookings(conn, older_than):
        if not await try_lock_booking(conn, booking.id):
            continue  # a live worker holds it: not stuck
        await release_holds(conn, booking.id)
        recovered.append(
            await transition(
                conn, booking, AssignmentState.ASSIGNMENT_PENDING, actor="recovery", reason=REASON
            )
        )
    return recovered
