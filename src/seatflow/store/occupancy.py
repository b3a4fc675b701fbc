"""What the planner sees of a service: live allocations and unexpired holds, as plain values.

Two scopes share one query: a restaurant and a time range (availability checks), or a booking's
restaurant around the booking's window — the latter needs nothing read first, so an assigner sends
it in the same round trip as its claim on the booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import AsyncCursor

from seatflow.domain.states import BookingStatus
from seatflow.planning.model import Occupant
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.queries import query

__all__ = [
    "SERVICE_REACH",
    "PendingOccupancy",
    "load_occupants",
    "send_booking_occupancy",
    "send_occupants",
]

#: How far around a booking's window we look: a service is at most this long on either side.
SERVICE_REACH = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class PendingOccupancy:
    """An occupancy query already sent; `occupants()` reads its answer (a sync in pipeline mode)."""

    cursor: AsyncCursor[dict[str, Any]]
    now: datetime
    exclude_booking: UUID | None

    async def occupants(self) -> list[Occupant]:
        rows = await self.cursor.fetchall()
        return [
            _occupant(row, self.now) for row in rows if row["booking_id"] != self.exclude_booking
        ]


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
    pending = await send_occupants(conn, floor, (start, end), now, exclude_booking)
    return await pending.occupants()


async def send_occupants(
    conn: Connection,
    floor: StoredFloor,
    around: tuple[datetime, datetime],
    now: datetime,
    exclude_booking: UUID | None = None,
) -> PendingOccupancy:
    """Send `load_occupants`'s read around (start, end); in pipeline mode it travels with what
    else is sent."""
    start, end = around
    params = {
        "restaurant_id": floor.restaurant_id,
        "from": start - SERVICE_REACH,
        "to": end + SERVICE_REACH,
        "now": now,
    }
    sql = f"{query('occupancy_of_window')}\n{query('occupancy')}"
    return PendingOccupancy(await conn.execute(sql, params), now, exclude_booking)


async def send_booking_occupancy(
    conn: Connection, booking_id: UUID, *, now: datetime
) -> PendingOccupancy:
    """Send the occupancy around the booking's own window (the booking itself left out)."""
    params = {"booking_id": booking_id, "reach": SERVICE_REACH, "now": now}
    sql = f"{query('occupancy_of_booking')}\n{query('occupancy')}"
    cursor = await conn.execute(sql, params)
    return PendingOccupancy(cursor, now, booking_id)


def _occupant(row: dict[str, Any], now: datetime) -> Occupant:
    """A booking on its tables; a hold or a table block under an id no booking has. Movable:
    placed, not yet seated, not pinned by staff, and starting later — or, where the restaurant
    runs its live service in seatflow (it has service periods: arrivals are reported), any
    placed booking whose guests have not sat down yet."""
    kind = row["kind"]
    held = kind != "allocation"
    return Occupant(
        booking_id=f"{kind}:{row['booking_id']}" if held else str(row["booking_id"]),
        party_size=row["party_size"],
        start=row["start_at"],
        end=row["end_at"],
        tables=tuple(row["tables"]),
        movable=not held
        and not row["pinned"]
        and row["status"] == BookingStatus.CONFIRMED
        and (row["start_at"] > now or row["live_service"]),
        zone_preference=row["zone_preference"],
    )
