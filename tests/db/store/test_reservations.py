"""The reservation version and the acceptance snapshot on a real PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.errors import ReservationsChanged
from seatflow.pipeline.handback import back_to_pending
from seatflow.store.bookings import NewBooking, insert_booking, require_booking
from seatflow.store.checks import store_errors
from seatflow.store.database import Connection, pipelined_transaction
from seatflow.store.floors import StoredFloor, import_floor, load_floor
from seatflow.store.holds import create_hold, place_tables
from seatflow.store.reservations import bump, claim, read_locked, read_snapshot

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
END = START + timedelta(minutes=105)
TTL = timedelta(minutes=2)

FLOOR = FloorPlan(
    slug="promises",
    name="Promises",
    policy=VenuePolicy(turn_minutes=(TurnRule(max_party=99, minutes=90),)),
    zones=(Zone(key="main", name="Main"),),
    tables=tuple(Table(key=f"T{i}", zone="main", capacity=4) for i in (1, 2, 3)),
)


async def _floor(conn: Connection) -> StoredFloor:
    async with conn.transaction():
        await import_floor(conn, FLOOR)
    async with conn.transaction():
        return await load_floor(conn, FLOOR.slug)


async def _booking(conn: Connection, floor: StoredFloor) -> UUID:
    async with conn.transaction():
        record = await insert_booking(
            conn,
            NewBooking(restaurant_id=floor.restaurant_id, party_size=2, start_at=START, end_at=END),
        )
    return record.id


async def _version(conn: Connection, floor: StoredFloor) -> int:
    return (await read_snapshot(conn, floor, start=START, end=END, now=NOW)).version


async def test_a_claim_wins_once_per_version(conn: Connection) -> None:
    """Two acceptances that read the same version: the first claim moves it, the second fails."""
    floor = await _floor(conn)
    seen = await _version(conn, floor)
    async with conn.transaction():
        await claim(conn, floor.restaurant_id, seen)
    with pytest.raises(ReservationsChanged):
        async with conn.transaction():
            await claim(conn, floor.restaurant_id, seen)
    async with conn.transaction():
        await claim(conn, floor.restaurant_id, seen + 1)
    assert await _version(conn, floor) == seen + 2


async def test_a_lost_claim_aborts_what_was_sent_with_it(conn: Connection) -> None:
    """In pipeline mode nothing is read after the claim: a lost claim fails at the next sync,
    and the statements that travelled with it are rolled back with it."""
    floor = await _floor(conn)
    seen = await _version(conn, floor)
    async with conn.transaction():
        await bump(conn, floor.restaurant_id)
    with pytest.raises(ReservationsChanged):
        async with store_errors(), pipelined_transaction(conn):
            await claim(conn, floor.restaurant_id, seen)
            await insert_booking(
                conn,
                NewBooking(
                    restaurant_id=floor.restaurant_id, party_size=2, start_at=START, end_at=END
                ),
            )
    async with conn.transaction():
        count = await (
            await conn.execute(
                "SELECT count(*) AS n FROM bookings WHERE restaurant_id = %s",
                (floor.restaurant_id,),
            )
        ).fetchone()
    assert count is not None and count["n"] == 0
    assert await _version(conn, floor) == seen + 1


async def test_a_concurrent_claim_waits_and_then_loses(conn: Connection, db_url: str) -> None:
    """A claim racing an uncommitted claim of the same version waits for it, then fails."""
    floor = await _floor(conn)
    seen = await _version(conn, floor)
    other = await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row)
    async with other:
        await conn.execute("BEGIN")
        await claim(conn, floor.restaurant_id, seen)
        racing = asyncio.create_task(claim(other, floor.restaurant_id, seen))
        await asyncio.sleep(0.2)
        assert not racing.done()  # blocked on the row, not decided on a stale read
        await conn.commit()
        with pytest.raises(ReservationsChanged):
            await racing
        await other.rollback()


async def test_bump_and_hand_back_move_the_version(conn: Connection) -> None:
    """A bump, and a booking handed back to pending, make older snapshots stale."""
    floor = await _floor(conn)
    booking = await _booking(conn, floor)
    seen = await _version(conn, floor)
    async with conn.transaction():
        await bump(conn, floor.restaurant_id)
    async with conn.transaction():
        record = await require_booking(conn, booking)
        await back_to_pending(conn, record, NOW, actor="test", why="requeued")
    assert await _version(conn, floor) == seen + 2


async def test_the_snapshot_lists_what_is_promised_but_unplaced(conn: Connection) -> None:
    """Unplaced: pending without tables (its hold ignored); placed ones are occupants; bookings
    in manual review are left to staff and counted nowhere."""
    floor = await _floor(conn)
    waiting, holding, placed, reviewed = [await _booking(conn, floor) for _ in range(4)]
    async with conn.transaction():
        await create_hold(conn, floor, holding, ["T1"], start=START, end=END, now=NOW, ttl=TTL)
        await place_tables(conn, floor, placed, ["T2"], start=START, end=END, now=NOW, ttl=TTL)
        await conn.execute(
            "UPDATE bookings SET assignment_state = 'manual_review' WHERE id = %s", (reviewed,)
        )
    snapshot = await read_snapshot(conn, floor, start=START, end=END, now=NOW)
    assert {u.booking_id for u in snapshot.unplaced} == {str(waiting), str(holding)}
    assert [o.booking_id for o in snapshot.occupants] == [str(placed)]
    async with conn.transaction():
        locked = await read_locked(conn, floor, start=START, end=END, now=NOW, exclude=waiting)
    assert {u.booking_id for u in locked.unplaced} == {str(holding)}
    assert locked.version == snapshot.version
