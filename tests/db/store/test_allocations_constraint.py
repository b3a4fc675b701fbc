"""The exclusion constraint: PostgreSQL itself refuses to give one table twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.store.database import Connection
from seatflow.store.floors import import_floor, load_floor

T0 = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)

FLOOR = FloorPlan(
    slug="tiny",
    name="Tiny",
    policy=VenuePolicy(turn_minutes=(TurnRule(max_party=99, minutes=90),)),
    zones=(Zone(key="main", name="Main"),),
    tables=(Table(key="T1", zone="main", capacity=4), Table(key="T2", zone="main", capacity=4)),
    adjacency=frozenset({frozenset({"T1", "T2"})}),
)


async def _setup(conn: Connection) -> tuple[UUID, dict[str, int]]:
    async with conn.transaction():
        await import_floor(conn, FLOOR)
    stored = await load_floor(conn, "tiny")
    return stored.restaurant_id, stored.table_ids


async def _booking(conn: Connection, restaurant_id: UUID, start: datetime) -> UUID:
    row = await (
        await conn.execute(
            "INSERT INTO bookings (restaurant_id, party_size, start_at, end_at) "
            "VALUES (%s, 2, %s, %s) RETURNING id",
            (restaurant_id, start, start + timedelta(minutes=105)),
        )
    ).fetchone()
    assert row is not None
    booking_id: UUID = row["id"]
    return booking_id


async def _allocate(
    conn: Connection,
    restaurant_id: UUID,
    booking: UUID,
    table_id: int,
    start: datetime,
    end: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO allocations (restaurant_id, booking_id, table_id, during) "
        "VALUES (%s, %s, %s, tstzrange(%s, %s, '[)'))",
        (restaurant_id, booking, table_id, start, end),
    )


async def test_overlapping_windows_on_one_table_are_rejected(conn: Connection) -> None:
    """A second live allocation of a table that overlaps the first violates the constraint."""
    restaurant, tables = await _setup(conn)
    first, second = await _booking(conn, restaurant, T0), await _booking(conn, restaurant, T0)
    await _allocate(conn, restaurant, first, tables["T1"], T0, T0 + timedelta(minutes=105))
    await conn.commit()
    with pytest.raises(psycopg.errors.ExclusionViolation):
        await _allocate(
            conn,
            restaurant,
            second,
            tables["T1"],
            T0 + timedelta(minutes=60),
            T0 + timedelta(hours=3),
        )
    await conn.rollback()


async def test_back_to_back_and_other_tables_are_accepted(conn: Connection) -> None:
    """Half-open windows that touch, and the same window on another table, both commit."""
    restaurant, tables = await _setup(conn)
    ids = [await _booking(conn, restaurant, T0) for _ in range(3)]
    end = T0 + timedelta(minutes=105)
    await _allocate(conn, restaurant, ids[0], tables["T1"], T0, end)
    await _allocate(conn, restaurant, ids[1], tables["T1"], end, end + timedelta(minutes=105))
    await _allocate(conn, restaurant, ids[2], tables["T2"], T0, end)
    await conn.commit()
    count = await (await conn.execute("SELECT count(*) AS n FROM allocations")).fetchone()
    assert count == {"n": 3}


async def test_released_allocations_do_not_block(conn: Connection) -> None:
    """Only live allocations count: a released one frees its window."""
    restaurant, tables = await _setup(conn)
    first, second = await _booking(conn, restaurant, T0), await _booking(conn, restaurant, T0)
    end = T0 + timedelta(minutes=105)
    await _allocate(conn, restaurant, first, tables["T1"], T0, end)
    await conn.execute("UPDATE allocations SET released_at = now()")
    await _allocate(conn, restaurant, second, tables["T1"], T0, end)
    await conn.commit()


async def test_concurrent_clashing_inserts_exactly_one_commits(
    db_url: str, conn: Connection
) -> None:
    """Two connections racing for one table: one commits, the other gets a clean exclusion error."""
    restaurant, tables = await _setup(conn)
    ids = [await _booking(conn, restaurant, T0) for _ in range(2)]
    await conn.commit()
    end = T0 + timedelta(minutes=105)
    gate = asyncio.Event()

    async def contender(booking: UUID) -> Any:
        async with await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row) as other:
            await gate.wait()
            try:
                async with other.transaction():
                    await _allocate(other, restaurant, booking, tables["T1"], T0, end)
                    await asyncio.sleep(0.05)  # hold the transaction open so the two overlap
                return "committed"
            except (psycopg.errors.ExclusionViolation, psycopg.errors.DeadlockDetected):
                # PostgreSQL reports a lost exclusion race either way; both roll back cleanly.
                return "rejected"

    tasks = [asyncio.create_task(contender(b)) for b in ids]
    await asyncio.sleep(0.1)
    gate.set()
    assert sorted(await asyncio.gather(*tasks)) == ["committed", "rejected"]
    live = await (await conn.execute("SELECT count(*) AS n FROM allocations")).fetchone()
    assert live == {"n": 1}
