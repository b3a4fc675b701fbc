"""Holds and the atomic confirm on a real PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.errors import BookingClosed, HoldExpired, TablesTaken, VersionConflict
from seatflow.store.bookings import (
    NewBooking,
    insert_booking,
    require_booking,
    set_status,
    table_keys,
    transition,
)
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor, import_floor, load_floor
from seatflow.store.holds import (
    TableMove,
    confirm_hold,
    create_hold,
    place_tables,
    release_holds,
    sweep_expired_holds,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
END = START + timedelta(minutes=105)
TTL = timedelta(minutes=2)

FLOOR = FloorPlan(
    slug="holds",
    name="Holds",
    policy=VenuePolicy(turn_minutes=(TurnRule(max_party=99, minutes=90),)),
    zones=(Zone(key="main", name="Main"),),
    tables=tuple(Table(key=f"T{i}", zone="main", capacity=4) for i in (1, 2, 3)),
)


async def _floor(conn: Connection) -> StoredFloor:
    async with conn.transaction():
        await import_floor(conn, FLOOR)
    return await load_floor(conn, FLOOR.slug)


async def _booking(conn: Connection, floor: StoredFloor) -> UUID:
    record = await insert_booking(
        conn,
        NewBooking(restaurant_id=floor.restaurant_id, party_size=2, start_at=START, end_at=END),
    )
    await conn.commit()
    return record.id


async def _hold(conn: Connection, floor: StoredFloor, booking: UUID, *tables: str) -> UUID:
    return await create_hold(conn, floor, booking, tables, start=START, end=END, now=NOW, ttl=TTL)


async def _seat_by_moving(
    conn: Connection, floor: StoredFloor, newcomer: UUID, placed: UUID
) -> None:
    """The re-pack both move tests apply: `placed` leaves T1 for T2 so `newcomer` takes T1."""
    hold = await create_hold(
        conn, floor, newcomer, ["T1"], start=START, end=END, now=NOW, ttl=TTL, moving=[placed]
    )
    move = TableMove(booking_id=placed, from_tables=("T1",), to_tables=("T2",))
    await confirm_hold(conn, floor, hold, now=NOW, moves=[move])


async def _live_count(conn: Connection) -> int:
    row = await (
        await conn.execute("SELECT count(*) AS n FROM allocations WHERE released_at IS NULL")
    ).fetchone()
    assert row is not None
    return int(row["n"])


async def test_confirm_is_idempotent(conn: Connection) -> None:
    """Confirming one hold twice leaves exactly one allocation set."""
    floor = await _floor(conn)
    booking = await _booking(conn, floor)
    hold = await _hold(conn, floor, booking, "T1", "T2")
    first = await confirm_hold(conn, floor, hold, now=NOW)
    second = await confirm_hold(conn, floor, hold, now=NOW)
    await conn.commit()
    assert (first.already_confirmed, second.already_confirmed) == (False, True)
    assert first.tables == second.tables == ("T1", "T2")
    assert await _live_count(conn) == 2


async def test_a_live_hold_blocks_another_booking(conn: Connection) -> None:
    """A second booking cannot hold tables another booking holds for an overlapping window."""
    floor = await _floor(conn)
    first, second = await _booking(conn, floor), await _booking(conn, floor)
    await _hold(conn, floor, first, "T1")
    with pytest.raises(TablesTaken, match="T1"):
        await _hold(conn, floor, second, "T1")


async def test_expired_holds_are_ignored_refused_and_swept(conn: Connection) -> None:
    """After expiry a hold neither blocks others nor confirms, and the sweep deletes it."""
    floor = await _floor(conn)
    first, second = await _booking(conn, floor), await _booking(conn, floor)
    stale = await _hold(conn, floor, first, "T1")
    later = NOW + TTL + timedelta(seconds=1)
    await create_hold(conn, floor, second, ["T1"], start=START, end=END, now=later, ttl=TTL)
    with pytest.raises(HoldExpired):
        await confirm_hold(conn, floor, stale, now=later)
    await conn.rollback()
    await _hold(conn, floor, first, "T3")
    assert await sweep_expired_holds(conn, NOW + timedelta(hours=1)) == 1


async def test_release_drops_unconfirmed_holds(conn: Connection) -> None:
    """Releasing a booking's holds frees its tables for others at once."""
    floor = await _floor(conn)
    first, second = await _booking(conn, floor), await _booking(conn, floor)
    await _hold(conn, floor, first, "T1")
    await release_holds(conn, first)
    await _hold(conn, floor, second, "T1")


async def test_repack_moves_commit_with_the_new_allocation(conn: Connection) -> None:
    """A re-pack moves a confirmed booking and seats the new one in one transaction."""
    floor = await _floor(conn)
    placed, newcomer = await _booking(conn, floor), await _booking(conn, floor)
    await confirm_hold(conn, floor, await _hold(conn, floor, placed, "T1"), now=NOW)
    await conn.commit()
    async with conn.transaction():
        await _seat_by_moving(conn, floor, newcomer, placed)
    assert await table_keys(conn, placed) == ["T2"]
    assert await table_keys(conn, newcomer) == ["T1"]


async def test_a_failed_repack_leaves_every_booking_on_its_old_tables(conn: Connection) -> None:
    """When one move clashes, the whole confirm rolls back: nobody moved, nobody seated."""
    floor = await _floor(conn)
    placed, blocker, newcomer = [await _booking(conn, floor) for _ in range(3)]
    await confirm_hold(conn, floor, await _hold(conn, floor, placed, "T1"), now=NOW)
    await confirm_hold(conn, floor, await _hold(conn, floor, blocker, "T2"), now=NOW)
    await conn.commit()
    with pytest.raises(TablesTaken):
        async with conn.transaction():
            await _seat_by_moving(conn, floor, newcomer, placed)
    assert await table_keys(conn, placed) == ["T1"]
    assert await table_keys(conn, blocker) == ["T2"]
    assert await table_keys(conn, newcomer) == []


async def test_two_connections_confirming_onto_one_table(db_url: str, conn: Connection) -> None:
    """Two bookings raced onto one table: one is confirmed, the other gets a clean TablesTaken."""
    floor = await _floor(conn)
    bookings = [await _booking(conn, floor), await _booking(conn, floor)]

    async def contender(booking: UUID) -> str:
        async with await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row) as other:
            try:
                async with other.transaction():
                    hold = await _hold(other, floor, booking, "T1")
                    await asyncio.sleep(0.05)
                    await confirm_hold(other, floor, hold, now=NOW)
                return "confirmed"
            except TablesTaken:
                return "taken"

    results = await asyncio.gather(*(contender(b) for b in bookings))
    assert sorted(results) == ["confirmed", "taken"]
    assert await _live_count(conn) == 1
    holds = await (await conn.execute("SELECT count(*) AS n FROM table_holds")).fetchone()
    assert holds == {"n": 1}


async def test_a_stale_writer_loses_the_version_check(db_url: str, conn: Connection) -> None:
    """Two writers with the same version: exactly one state change commits."""
    floor = await _floor(conn)
    booking_id = await _booking(conn, floor)
    stale = await require_booking(conn, booking_id)

    async def writer() -> str:
        async with await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row) as other:
            try:
                async with other.transaction():
                    await transition(other, stale, AssignmentState.CAPACITY_VERIFIED, actor="test")
                    await asyncio.sleep(0.05)
                return "won"
            except VersionConflict:
                return "lost"

    assert sorted(await asyncio.gather(writer(), writer())) == ["lost", "won"]
    history = await (
        await conn.execute("SELECT count(*) AS n FROM booking_assignment_state_history")
    ).fetchone()
    assert history == {"n": 1}


async def _place(
    conn: Connection,
    floor: StoredFloor,
    booking: UUID,
    *tables: str,
    moves: tuple[TableMove, ...] = (),
) -> UUID:
    return await place_tables(
        conn, floor, booking, tables, start=START, end=END, now=NOW, ttl=TTL, moves=moves
    )


async def test_place_tables_holds_and_confirms_in_one_go(conn: Connection) -> None:
    """The hold is written already confirmed, with the booking's live allocations."""
    floor = await _floor(conn)
    booking = await _booking(conn, floor)
    async with conn.transaction():
        hold = await _place(conn, floor, booking, "T1", "T2")
    assert await table_keys(conn, booking) == ["T1", "T2"]
    row = await (
        await conn.execute("SELECT confirmed_at FROM table_holds WHERE id = %s", (hold,))
    ).fetchone()
    assert row is not None and row["confirmed_at"] == NOW
    assert (await confirm_hold(conn, floor, hold, now=NOW)).already_confirmed


@pytest.mark.parametrize("taken_by", ["allocation", "hold"])
async def test_place_tables_refuses_a_taken_table_and_leaves_nothing(
    conn: Connection, taken_by: str
) -> None:
    """Another booking's allocation or live hold on a table: TablesTaken naming it, and the
    savepoint leaves neither hold nor allocation behind."""
    floor = await _floor(conn)
    owner, booking = await _booking(conn, floor), await _booking(conn, floor)
    async with conn.transaction():
        if taken_by == "allocation":
            await _place(conn, floor, owner, "T2")
        else:
            await _hold(conn, floor, owner, "T2")
    with pytest.raises(TablesTaken, match="T2"):
        async with conn.transaction():
            await _place(conn, floor, booking, "T1", "T2")
    assert await table_keys(conn, booking) == []
    row = await (
        await conn.execute(
            "SELECT count(*) AS n FROM table_holds WHERE booking_id = %s", (booking,)
        )
    ).fetchone()
    assert row is not None and row["n"] == 0


async def test_place_tables_refuses_a_closed_booking(conn: Connection) -> None:
    floor = await _floor(conn)
    booking = await _booking(conn, floor)
    await set_status(conn, booking, BookingStatus.CANCELLED)
    with pytest.raises(BookingClosed):
        async with conn.transaction():
            await _place(conn, floor, booking, "T1")
    assert await table_keys(conn, booking) == []


async def test_place_tables_moves_only_a_booking_still_where_the_plan_saw_it(
    conn: Connection,
) -> None:
    """A re-pack move whose booking is no longer on `from_tables` is refused (TablesTaken), and
    the one that matches is applied with the placement."""
    floor = await _floor(conn)
    placed, newcomer = await _booking(conn, floor), await _booking(conn, floor)
    async with conn.transaction():
        await _place(conn, floor, placed, "T1")
    stale = TableMove(booking_id=placed, from_tables=("T3",), to_tables=("T2",))
    with pytest.raises(TablesTaken, match="no longer"):
        async with conn.transaction():
            await _place(conn, floor, newcomer, "T1", moves=(stale,))
    assert await table_keys(conn, placed) == ["T1"]
    move = TableMove(booking_id=placed, from_tables=("T1",), to_tables=("T2",))
    async with conn.transaction():
        await _place(conn, floor, newcomer, "T1", moves=(move,))
    assert (await table_keys(conn, placed), await table_keys(conn, newcomer)) == (["T2"], ["T1"])
