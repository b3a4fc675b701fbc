"""What the planner sees of a service: live allocations and unexpired holds, as plain values."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from seatflow.domain.states import BookingStatus
from seatflow.planning.model import Occupant
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.queries import query

#: How far around a booking's window we look: a service is at most this long on either side.
SERVICE_REACH = timedelta(hours=12)


async def load_occupants(
    conn: Connection,
    floor: StoredFloor,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude_booking: UUID | None = None,
) -> list[Occupant]:
    """Occupants of the service around [start, end); confirmed future bookings are movable."""
    params = {
        "restaurant_id": floor.restaurant_id,
        "from": start - SERVICE_REACH,
        "to": end + SERVICE_REACH,
        "now": now,
    }
    occupants: list[Occupant] = []
    for row in await (await conn.execute(query("service_occupancy"), params)).fetchall():
        if row["booking_id"] == exclude_booking:
            continue
        held = row["kind"] == "hold"
        occupants.append(
            Occupant(
                booking_id=f"hold:{row['booking_id']}" if held else str(row["booking_id"]),
                party_size=row["party_size"],
                start=row["start_at"],
                end=row["end_at"],
                tables=tuple(row["tables"]),
                movable=not held
                and row["status"] == BookingStatus.CONFIRMED
                and row["start_at"] > now,
                zone_preference=row["zone_preference"],
            )
        )
    return occupants
