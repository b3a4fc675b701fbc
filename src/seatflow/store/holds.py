"""Holds and the atomic confirm.

A hold is a short lease on tables for one booking. Confirm turns it into allocations — together
with any re-pack moves of other bookings — inside the caller's single transaction, so either every
booking ends on its new tables or every booking stays where it was. Confirming a hold twice is a
no-op: the hold id is the idempotency key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import psycopg

from seatflow.domain.states import TERMINAL_STATUSES
from seatflow.errors import BookingClosed, HoldExpired, NotFound, TablesTaken
from seatflow.store.bookings import require_booking
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.queries import query


@dataclass(frozen=True, slots=True, kw_only=True)
class TableMove:
    """A re-pack move: another booking leaves `from_tables` for `to_tables` (keys)."""

    booking_id: UUID
    from_tables: tuple[str, ...]
    to_tables: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmResult:
    hold_id: UUID
    booking_id: UUID
    tables: tuple[str, ...]
    already_confirmed: bool


async def create_hold(
    conn: Connection,
    floor: StoredFloor,
    booking_id: UUID,
    tables: Sequence[str],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    ttl: timedelta,
    moving: Sequence[UUID] = (),
) -> UUID:
    """Lease `tables` for the booking's window, or raise TablesTaken naming the taken ones."""
    table_ids = _ids(floor, tables)
    await conn.execute(query("lock_tables"), {"table_ids": table_ids})
    taken = await (
        await conn.execute(
            query("conflicting_table_keys"),
            {
                "table_ids": table_ids,
                "start": start,
                "end": end,
                "booking_id": booking_id,
                "moving": list(moving),
                "now": now,
            },
        )
    ).fetchall()
    if taken:
        raise TablesTaken(f"tables taken: {', '.join(row['key'] for row in taken)}")
    row = await (
        await conn.execute(
            query("insert_hold"),
            {
                "restaurant_id": floor.restaurant_id,
                "booking_id": booking_id,
                "start": start,
                "end": end,
                "expires_at": now + ttl,
            },
        )
    ).fetchone()
    assert row is not None
    hold_id: UUID = row["id"]
    await conn.execute(
        query("insert_hold_members"),
        {"hold_id": hold_id, "restaurant_id": floor.restaurant_id, "table_ids": table_ids},
    )
    return hold_id


async def confirm_hold(
    conn: Connection,
    floor: StoredFloor,
    hold_id: UUID,
    *,
    now: datetime,
    moves: Sequence[TableMove] = (),
) -> ConfirmResult:
    """Turn the hold into allocations, re-pack moves first, all in the caller's transaction.

    Raises HoldExpired, BookingClosed (cancelled meanwhile) or TablesTaken; the caller's
    transaction then rolls back, leaving every booking on its old tables.
    """
    hold = await (await conn.execute(query("hold_for_update"), {"hold_id": hold_id})).fetchone()
    if hold is None:
        raise NotFound(f"no hold {hold_id}")
    keys = floor.table_keys
    tables = tuple(sorted(keys[t] for t in hold["table_ids"]))
    if hold["confirmed_at"] is not None:
        return ConfirmResult(
            hold_id=hold_id, booking_id=hold["booking_id"], tables=tables, already_confirmed=True
        )
    if hold["expires_at"] <= now:
        raise HoldExpired(f"hold {hold_id} expired at {hold['expires_at'].isoformat()}")
    booking = await require_booking(conn, hold["booking_id"], for_update=True)
    if booking.status in TERMINAL_STATUSES:
        raise BookingClosed(f"booking {booking.id} is {booking.status}")
    try:
        await _apply_moves(conn, floor, moves, now)
        await conn.execute(
            query("release_booking_allocations"), {"booking_id": booking.id, "now": now}
        )
        await conn.execute(
            query("insert_allocations"),
            {
                "restaurant_id": floor.restaurant_id,
                "booking_id": booking.id,
                "table_ids": list(hold["table_ids"]),
                "start": hold["start_at"],
                "end": hold["end_at"],
            },
        )
    except (psycopg.errors.ExclusionViolation, psycopg.errors.DeadlockDetected) as exc:
        # Concurrent GiST exclusion checks may surface as a deadlock: the same lost race.
        raise TablesTaken("a table was given to another booking meanwhile") from exc
    await conn.execute(query("mark_hold_confirmed"), {"hold_id": hold_id, "now": now})
    return ConfirmResult(
        hold_id=hold_id, booking_id=booking.id, tables=tables, already_confirmed=False
    )


async def _apply_moves(
    conn: Connection, floor: StoredFloor, moves: Sequence[TableMove], now: datetime
) -> None:
    """Release every moved booking first, then seat each on its new tables (no transient clash)."""
    moved = []
    for move in sorted(moves, key=lambda m: str(m.booking_id)):
        booking = await require_booking(conn, move.booking_id, for_update=True)
        current = await (
            await conn.execute(query("live_table_ids"), {"booking_id": booking.id})
        ).fetchall()
        if sorted(row["table_id"] for row in current) != sorted(_ids(floor, move.from_tables)):
            raise TablesTaken(f"booking {booking.id} is no longer on {', '.join(move.from_tables)}")
        if booking.status in TERMINAL_STATUSES:
            raise TablesTaken(f"booking {booking.id} is {booking.status} and cannot move")
        await conn.execute(
            query("release_booking_allocations"), {"booking_id": booking.id, "now": now}
        )
        moved.append((booking, move))
    for booking, move in moved:
        await conn.execute(
            query("insert_allocations"),
            {
                "restaurant_id": floor.restaurant_id,
                "booking_id": booking.id,
                "table_ids": _ids(floor, move.to_tables),
                "start": booking.start_at,
                "end": booking.end_at,
            },
        )


async def release_holds(conn: Connection, booking_id: UUID) -> None:
    await conn.execute(query("release_holds_of_booking"), {"booking_id": booking_id})


async def sweep_expired_holds(conn: Connection, now: datetime) -> int:
    """Delete expired, unconfirmed holds; returns how many went."""
    result = await conn.execute(query("sweep_expired_holds"), {"now": now})
    return result.rowcount


def _ids(floor: StoredFloor, keys: Sequence[str]) -> list[int]:
    try:
        return sorted(floor.table_ids[key] for key in keys)
    except KeyError as exc:
        raise NotFound(f"no active table {exc.args[0]!r} in {floor.plan.slug}") from exc
