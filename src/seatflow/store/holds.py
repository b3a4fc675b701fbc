"""Holds and the atomic confirm.

A hold is a short lease on tables for one booking. Confirm turns it into allocations — together
with any re-pack moves of other bookings — inside the caller's single transaction, so either every
booking ends on its new tables or every booking stays where it was. Confirming a hold twice is a
no-op: the hold id is the idempotency key.

`place_tables` holds and confirms in one go without reading anything back: every check is made by
the statements themselves (`seatflow_assert`, the exclusion constraint), so in psycopg's pipeline
mode the whole placement travels in the caller's one round trip.

Every writer first takes the restaurant's floor lock shared and checks that the floor it planned
on is still the current one (VersionConflict otherwise): a floor change holds that lock
exclusively, so tables it removes or changes can never be given out on the old floor's word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from seatflow.domain.states import TERMINAL_STATUSES
from seatflow.errors import BookingClosed, HoldExpired, NotFound
from seatflow.store.bookings import CLOSED, assert_open, release_allocations, require_booking
from seatflow.store.checks import store_errors
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.locks import FLOOR_LOCKS
from seatflow.store.queries import query

#: `insert_allocations` over the booking's own window.
_BOOKED = {"start": None, "end": None}


@dataclass(frozen=True, slots=True, kw_only=True)
class TableMove:
    """A re-pack move: another booking leaves `from_tables` for `to_tables` (keys)."""

    booking_id: UUID
    from_tables: tuple[str, ...]
    to_tables: tuple[str, ...]
    #: The window it holds them for, when not its booked one (a party delayed within its grace
    #: for guests at the door: planning.deferral).
    during: tuple[datetime, datetime] | None = None


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
    confirmed: bool = False,
) -> UUID:
    """Lease `tables` for the window, or raise TablesTaken naming the taken ones; `confirmed`
    when the caller turns the hold into allocations in this same transaction.

    The tables' rows are locked first (in id order, so two takers never deadlock); the check that
    follows is a statement of its own and so sees whatever the previous holder committed.
    """
    hold_id = uuid4()
    ids = table_ids(floor, tables)
    window = {"table_ids": ids, "start": start, "end": end, "booking_id": booking_id}
    async with store_errors():
        await assert_floor_current(conn, floor)
        await conn.execute(query("lock_tables"), {"table_ids": ids})
        await conn.execute(
            query("assert_tables_free"), {**window, "moving": list(moving), "now": now}
        )
        await conn.execute(
            query("insert_hold"),
            {
                **window,
                "hold_id": hold_id,
                "restaurant_id": floor.restaurant_id,
                "expires_at": now + ttl,
                "confirmed_at": now if confirmed else None,
            },
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
    """Turn a hold made earlier into allocations, re-pack moves first, in the caller's transaction.

    Raises HoldExpired (also when the booking moved to another window since), BookingClosed
    (cancelled meanwhile) or TablesTaken; the caller's transaction then rolls back, leaving every
    booking on its old tables.
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
    if (booking.start_at, booking.end_at) != (hold["start_at"], hold["end_at"]):
        raise HoldExpired(f"hold {hold_id} is for a window booking {booking.id} no longer has")
    async with store_errors():
        await assert_floor_current(conn, floor)
    await _allocate(conn, floor, booking.id, tables, now=now, moves=moves)
    await conn.execute(query("mark_hold_confirmed"), {"hold_id": hold_id, "now": now})
    return ConfirmResult(
        hold_id=hold_id, booking_id=booking.id, tables=tables, already_confirmed=False
    )


async def place_tables(
    conn: Connection,
    floor: StoredFloor,
    booking_id: UUID,
    tables: Sequence[str],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    ttl: timedelta,
    moves: Sequence[TableMove] = (),
) -> UUID:
    """Hold `tables` for the booking and confirm the hold at once, moves included; returns the
    hold's id. The caller holds the booking's row lock (every assigner claims it first).

    Reads nothing back: TablesTaken / BookingClosed come from the statements, here or at the
    pipeline's sync.
    """
    hold_id = await create_hold(
        conn,
        floor,
        booking_id,
        tables,
        start=start,
        end=end,
        now=now,
        ttl=ttl,
        moving=[m.booking_id for m in moves],
        confirmed=True,  # the allocations below commit with it, or nothing does
    )
    await assert_open(conn, booking_id)
    await _allocate(conn, floor, booking_id, tables, now=now, moves=moves)
    return hold_id


async def _allocate(
    conn: Connection,
    floor: StoredFloor,
    booking_id: UUID,
    tables: Sequence[str],
    *,
    now: datetime,
    moves: Sequence[TableMove],
) -> None:
    """Moves first, then the booking's own tables replace whatever it had."""
    async with store_errors():
        await move_bookings(conn, floor, moves, now)
        await release_allocations(conn, booking_id, now)
        await conn.execute(
            query("insert_allocations"),
            {"booking_id": booking_id, "table_ids": table_ids(floor, tables), **_BOOKED},
        )


async def move_bookings(
    conn: Connection, floor: StoredFloor, moves: Sequence[TableMove], now: datetime
) -> None:
    """Release every moved booking first, then seat each on its new tables (no transient clash).

    Each moved booking is row-locked, then checked still open and still on `from_tables`.
    """
    ordered = sorted(moves, key=lambda m: str(m.booking_id))
    for move in ordered:
        await conn.execute(query("booking_by_id_for_update"), {"booking_id": move.booking_id})
        await conn.execute(
            query("assert_movable"),
            {
                "booking_id": move.booking_id,
                "closed": CLOSED,
                "from_ids": table_ids(floor, move.from_tables),
            },
        )
        await release_allocations(conn, move.booking_id, now)
    for move in ordered:
        start, end = move.during or (None, None)
        await conn.execute(
            query("insert_allocations"),
            {
                "booking_id": move.booking_id,
                "table_ids": table_ids(floor, move.to_tables),
                "start": start,
                "end": end,
            },
        )


async def assert_floor_current(conn: Connection, floor: StoredFloor) -> None:
    """Take the floor lock shared (never waiting: a floor change in progress fails us at once),
    then check the floor is still the version planned on; either failure is SF001."""
    await conn.execute(
        query("share_floor_lock"),
        {"namespace": FLOOR_LOCKS, "restaurant_id": floor.restaurant_id},
    )
    await conn.execute(
        query("assert_floor_current"),
        {"restaurant_id": floor.restaurant_id, "version": floor.version},
    )


async def release_holds(conn: Connection, booking_id: UUID) -> None:
    await conn.execute(query("release_holds_of_booking"), {"booking_id": booking_id})


async def sweep_expired_holds(conn: Connection, now: datetime) -> int:
    """Delete expired, unconfirmed holds; returns how many went."""
    result = await conn.execute(query("sweep_expired_holds"), {"now": now})
    return result.rowcount


def table_ids(floor: StoredFloor, keys: Sequence[str]) -> list[int]:
    """The ids of the floor's tables `keys` (NotFound naming the first unknown one)."""
    try:
        return sorted(floor.table_ids[key] for key in keys)
    except KeyError as exc:
        raise NotFound(f"no active table {exc.args[0]!r} in {floor.plan.slug}") from exc
