"""A booking's modification: new party size and window, version-guarded.

The one write the API needs that the core booking store does not offer; kept apart so the core
module stays as it is. Like every store function it takes a connection and never commits.
"""

from __future__ import annotations

from datetime import datetime

from seatflow.errors import VersionConflict
from seatflow.store.bookings import BookingRecord, require_booking
from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = ["reschedule_booking"]


async def reschedule_booking(
    conn: Connection,
    booking: BookingRecord,
    *,
    party_size: int,
    start_at: datetime,
    end_at: datetime,
) -> BookingRecord:
    """Set the new party and window; VersionConflict when `booking` is stale."""
    params = {
        "booking_id": booking.id,
        "party_size": party_size,
        "start_at": start_at,
        "end_at": end_at,
        "expected_version": booking.version,
    }
    row = await (await conn.execute(query("reschedule_booking"), params)).fetchone()
    if row is None:
        raise VersionConflict(f"booking {booking.id} changed since version {booking.version}")
    return await require_booking(conn, booking.id)
