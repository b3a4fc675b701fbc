"""What a restaurant has promised, read as one consistent snapshot, and the version that makes
acceptances atomic per restaurant.

An acceptance reads a `Reservations` snapshot (the version, the occupants, the accepted bookings
that hold no tables yet), lets the connection go, plans, and then writes only if `claim` finds
the version unchanged. Every write that adds demand or removes supply calls `bump`, so a plan
made on an older snapshot can never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncCursor

from seatflow.planning.model import Occupant, PlanRequest
from seatflow.store.checks import store_errors
from seatflow.store.database import Connection, pipelined_transaction
from seatflow.store.floors import StoredFloor
from seatflow.store.occupancy import SERVICE_REACH, PendingOccupancy, send_occupants
from seatflow.store.queries import query

__all__ = ["Reservations", "bump", "claim", "read_locked", "read_snapshot"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reservations:
    """The restaurant's promises around a window at `version`.

    `unplaced` are the accepted bookings with no tables yet (oldest first), as requests; a hold
    one of them has is only a tentative place, so it is left out of `occupants`.
    """

    version: int
    occupants: tuple[Occupant, ...]
    unplaced: tuple[PlanRequest, ...]


async def read_snapshot(
    conn: Connection,
    floor: StoredFloor,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: UUID | None = None,
) -> Reservations:
    """One REPEATABLE READ, READ ONLY transaction (of its own: `conn` must be idle), so
    everything is as of one instant; its statements and its COMMIT travel together, and the
    rows are read once it ended (read only: ending it first loses nothing): one round trip."""
    async with pipelined_transaction(conn):
        await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        sent = await _send(
            conn, floor, "reservation_version", start=start, end=end, now=now, exclude=exclude
        )
    return await sent.read()


async def read_locked(
    conn: Connection,
    floor: StoredFloor,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: UUID | None = None,
) -> Reservations:
    """In the caller's write transaction, behind the restaurant row's lock: no other acceptance
    or bump commits until it ends. The unplaced bookings are read before the occupants, so one a
    worker places in between is counted twice (safe), never missed."""
    sent = await _send(
        conn,
        floor,
        "reservation_version_for_update",
        start=start,
        end=end,
        now=now,
        exclude=exclude,
    )
    return await sent.read()


async def claim(conn: Connection, restaurant_id: UUID, seen_version: int) -> None:
    """Move the version on if it is still `seen_version`; ReservationsChanged when another write
    came first. Nothing is read: in pipeline mode the claim travels with the writes after it and
    its failure surfaces at their sync (map it with `store_errors` there), aborting them."""
    params = {"restaurant_id": restaurant_id, "seen": seen_version}
    async with store_errors():
        await conn.execute(query("claim_reservation_version"), params)


async def bump(conn: Connection, restaurant_id: UUID) -> None:
    """Invalidate every snapshot of the restaurant read before this write commits."""
    await conn.execute(query("bump_reservation_version"), {"restaurant_id": restaurant_id})


async def _send(
    conn: Connection,
    floor: StoredFloor,
    version_query: str,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: UUID | None,
) -> _Sent:
    """The version, then the unplaced bookings, then the occupants: sent in that order before
    any result is read, so in pipeline mode they share one round trip."""
    restaurant = {"restaurant_id": floor.restaurant_id}
    window = {**restaurant, "from": start - SERVICE_REACH, "to": end + SERVICE_REACH}
    return _Sent(
        restaurant_id=floor.restaurant_id,
        exclude=exclude,
        version=await conn.execute(query(version_query), restaurant),
        unplaced=await conn.execute(query("unplaced_bookings"), window),
        occupancy=await send_occupants(conn, floor, (start, end), now, exclude),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Sent:
    """The snapshot's reads, sent; `read` turns their rows into `Reservations`."""

    restaurant_id: UUID
    exclude: UUID | None
    version: AsyncCursor[dict[str, Any]]
    unplaced: AsyncCursor[dict[str, Any]]
    occupancy: PendingOccupancy

    async def read(self) -> Reservations:
        row = await self.version.fetchone()
        if row is None:
            raise LookupError(f"no restaurant {self.restaurant_id}")
        rows = await self.unplaced.fetchall()
        unplaced = tuple(_request(row) for row in rows if row["id"] != self.exclude)
        tentative = {f"hold:{u.booking_id}" for u in unplaced}
        occupants = await self.occupancy.occupants()
        return Reservations(
            version=int(row["reservation_version"]),
            occupants=tuple(o for o in occupants if o.booking_id not in tentative),
            unplaced=unplaced,
        )


def _request(row: dict[str, Any]) -> PlanRequest:
    return PlanRequest(
        booking_id=str(row["id"]),
        party_size=row["party_size"],
        start=row["start_at"],
        end=row["end_at"],
        zone_preference=row["zone_preference"],
    )
