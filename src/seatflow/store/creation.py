"""A new booking written, walked towards assignment and queued with one wait on the server.

The API's create waits on PostgreSQL once per statement whose result it reads. A new booking's
walk needs only its id, version and state, and all three are known before its row comes back
(the id is made client-side, `NewBooking.id`), so the row, the walk and the job are sent
together in pipeline mode and nothing is read until the job's own read syncs them: one round
trip where there were three. Outside pipeline mode the same calls simply run one by one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.store.bookings import (
    BookingRecord,
    NewBooking,
    Transition,
    advance,
    insert_params,
    record_of,
    walk,
)
from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = ["create_walked"]

#: Queue the booking's job on the same connection (its read is the one that waits).
Enqueue = Callable[[Connection, UUID], Awaitable[None]]


async def create_walked(
    conn: Connection,
    booking: NewBooking,
    path: Sequence[AssignmentState],
    *,
    actor: str,
    reason: str,
    enqueue: Enqueue,
) -> tuple[BookingRecord, tuple[Transition, ...]]:
    """Insert `booking`, walk it through `path` and `enqueue` its job in the caller's
    transaction; the row as written and the steps, as `advance` reports them."""
    inserted = await conn.execute(query("insert_booking"), insert_params(booking))
    await advance(conn, _as_created(booking), path, actor=actor, reason=reason)
    await enqueue(conn, booking.id)
    row = await inserted.fetchone()
    assert row is not None
    record = record_of(row)
    steps = walk(record, path, actor=actor, reason=reason, status=None, strategy=None)
    return record, tuple(steps)


def _as_created(booking: NewBooking) -> BookingRecord:
    """What the walk's statement needs of the row before it is read: the id, state `created`
    and version 0 (the server's timestamps are not known yet and not used)."""
    return BookingRecord(
        id=booking.id,
        restaurant_id=booking.restaurant_id,
        ref=booking.ref,
        party_size=booking.party_size,
        start_at=booking.start_at,
        end_at=booking.end_at,
        duration_minutes=booking.duration_minutes,
        zone_preference=booking.zone_preference,
        status=BookingStatus.PENDING,
        assignment_state=AssignmentState.CREATED,
        version=0,
        strategy=None,
        review_reason=None,
        created_at=booking.requested_at or booking.start_at,
        source=booking.source,
    )
