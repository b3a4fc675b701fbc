"""The live service in PostgreSQL: seating, departures, no-shows, overstays and table blocks.

Functions take a connection and never commit. They write tables only through statements the
database checks (the exclusion constraint; the block trigger; `change_status` refusing a booking
that is no longer in the status the caller saw), and every change of a placed booking's tables is
recorded by the `booking_moves` trigger under the actor set by `attribute`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from seatflow.domain.states import BookingStatus
from seatflow.store.checks import store_errors
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.holds import assert_floor_current, table_ids
from seatflow.store.queries import query

__all__ = [
    "Overstay",
    "attribute",
    "change_status",
    "colliding_bookings",
    "due_no_shows",
    "due_overstays",
    "end_stay",
    "extend_stay",
    "next_deadline",
    "paced_reservations",
    "SeatedStay",
    "seat_on",
    "seated_in_turn",
    "waiting_for_tables",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Overstay:
    """A seated party past its turn: its tables (ids) and the occupancy's new end."""

    booking_id: UUID
    restaurant_id: UUID
    occupied_until: datetime
    until: datetime
    table_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatedStay:
    """A seated party whose occupancy has not ended: the booking's terms and its hold's span."""

    booking_id: UUID
    restaurant_id: UUID
    party_size: int
    start_at: datetime
    duration_minutes: int | None
    seated_from: datetime
    occupied_until: datetime


async def seated_in_turn(
    conn: Connection, now: datetime, restaurant_id: UUID | None = None
) -> list[SeatedStay]:
    """Seated parties whose tables are theirs past `now`, earliest seated first."""
    rows = await _rows(conn, "seated_in_turn", now=now, restaurant_id=restaurant_id)
    return [
        SeatedStay(
            booking_id=row["id"],
            restaurant_id=row["restaurant_id"],
            party_size=row["party_size"],
            start_at=row["start_at"],
            duration_minutes=row["duration_minutes"],
            seated_from=row["seated_from"],
            occupied_until=row["occupied_until"],
        )
        for row in rows
    ]


async def attribute(conn: Connection, *, actor: str, reason: str, now: datetime) -> None:
    """Name who changes tables in this transaction, why, and when (the moves trigger reads it)."""
    await conn.execute(query("attribute_moves"), {"actor": actor, "reason": reason, "now": now})


async def seat_on(
    conn: Connection,
    floor: StoredFloor,
    booking_id: UUID,
    tables: Sequence[str],
    *,
    start: datetime,
    end: datetime,
) -> None:
    """The booking's tables become exactly `tables` over [start, end) (its old ones released)."""
    async with store_errors():
        await assert_floor_current(conn, floor)
        await conn.execute(
            query("release_booking_allocations"), {"booking_id": booking_id, "now": start}
        )
        await conn.execute(
            query("seat_allocations"),
            {
                "booking_id": booking_id,
                "table_ids": table_ids(floor, tables),
                "start": start,
                "end": end,
            },
        )


async def change_status(
    conn: Connection,
    booking_id: UUID,
    status: BookingStatus,
    *,
    expected: Sequence[BookingStatus],
    at: datetime,
    reason: str,
) -> None:
    """Move a booking to a live-service status (SF003 → BookingClosed when it is not in one of
    `expected` any more); `seated` stamps `seated_at`, `completed` stamps `left_at`."""
    params = {
        "booking_id": booking_id,
        "status": status.value,
        "expected": [s.value for s in expected],
        "at": at,
        "reason": reason,
    }
    async with store_errors():
        await conn.execute(query("change_status"), params)


async def end_stay(conn: Connection, booking_id: UUID, *, free_from: datetime) -> None:
    """Shorten the party's occupancy to end at `free_from` (departure plus buffer)."""
    await conn.execute(query("end_stay"), {"booking_id": booking_id, "free_from": free_from})


async def extend_stay(conn: Connection, booking_id: UUID, *, until: datetime) -> None:
    """Lengthen the seated party's occupancy to `until`; raises TablesTaken on a clash."""
    async with store_errors():
        await conn.execute(query("extend_stay"), {"booking_id": booking_id, "until": until})


async def due_no_shows(
    conn: Connection, now: datetime, restaurant_id: UUID | None = None
) -> list[UUID]:
    rows = await _rows(conn, "due_no_shows", now=now, restaurant_id=restaurant_id)
    return [row["id"] for row in rows]


async def due_overstays(
    conn: Connection, now: datetime, restaurant_id: UUID | None = None
) -> list[Overstay]:
    rows = await _rows(conn, "due_overstays", now=now, restaurant_id=restaurant_id)
    return [
        Overstay(
            booking_id=row["id"],
            restaurant_id=row["restaurant_id"],
            occupied_until=row["occupied_until"],
            until=row["until"],
            table_ids=tuple(row["table_ids"]),
        )
        for row in rows
    ]


async def colliding_bookings(
    conn: Connection,
    table_ids: Sequence[int],
    *,
    start: datetime,
    until: datetime,
    booking_id: UUID | None = None,
) -> list[UUID]:
    """Bookings not yet seated on these tables within [start, until), the given one left out."""
    rows = await _rows(
        conn,
        "colliding_bookings",
        table_ids=list(table_ids),
        start=start,
        until=until,
        booking_id=booking_id,
    )
    return [row["id"] for row in rows]


async def paced_reservations(
    conn: Connection,
    restaurant_id: UUID,
    *,
    start: datetime,
    end: datetime,
    exclude: UUID | None = None,
) -> list[tuple[datetime, int]]:
    """(start, party) of the live reservations starting in [start, end): what pacing counts."""
    rows = await _rows(
        conn,
        "paced_reservations",
        restaurant_id=restaurant_id,
        **{"from": start, "to": end},
        exclude=exclude,
    )
    return [(row["start_at"], row["party_size"]) for row in rows]


async def _rows(conn: Connection, name: str, **params: Any) -> list[dict[str, Any]]:
    return await (await conn.execute(query(name), params)).fetchall()


async def next_deadline(conn: Connection, restaurant_id: UUID) -> datetime | None:
    """When the no-show or overstay sweep next has work for the restaurant (None: never)."""
    rows = await _rows(conn, "next_deadline", restaurant_id=restaurant_id)
    at: datetime | None = rows[0]["at"]
    return at


async def waiting_for_tables(
    conn: Connection, restaurant_id: UUID, *, now: datetime, until: datetime
) -> list[UUID]:
    """Accepted reservations with no tables whose guests may still come, starting before
    `until` (and not yet past their grace)."""
    rows = await _rows(
        conn, "waiting_for_tables", restaurant_id=restaurant_id, now=now, until=until
    )
    return [row["id"] for row in rows]
