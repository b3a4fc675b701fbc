"""Everything a planner needs about one booking, read in one place for both pipelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seatflow.planning.model import Occupant, PlanRequest
from seatflow.store.bookings import BookingRecord
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor, load_floor_by_id
from seatflow.store.occupancy import load_occupants


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    booking: BookingRecord
    floor: StoredFloor
    occupants: tuple[Occupant, ...]

    @property
    def request(self) -> PlanRequest:
        return plan_request(self.booking)


def plan_request(booking: BookingRecord) -> PlanRequest:
    return PlanRequest(
        booking_id=str(booking.id),
        party_size=booking.party_size,
        start=booking.start_at,
        end=booking.end_at,
        zone_preference=booking.zone_preference,
    )


async def take_snapshot(
    conn: Connection, booking: BookingRecord, now: datetime, floor: StoredFloor | None = None
) -> Snapshot:
    """The floor and the service's occupancy as this booking's planner must see them."""
    stored = floor or await load_floor_by_id(conn, booking.restaurant_id)
    occupants = await load_occupants(
        conn,
        stored,
        start=booking.start_at,
        end=booking.end_at,
        now=now,
        exclude_booking=booking.id,
    )
    return Snapshot(booking=booking, floor=stored, occupants=tuple(occupants))
