"""A simulation resets only what simulations made: its own restaurant and bookings, never a
restaurant or a booking from elsewhere (the guard behind `simulate --database`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from seatflow.documents import parse_scenario_text
from seatflow.errors import LiveDataRefused
from seatflow.store.blocks import add_block
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor, import_floor
from seatflow.store.simulated import reset_simulated_restaurant
from support.scenarios import SAMPLES

FLOOR = parse_scenario_text((SAMPLES / "dev-05-t24-l0.8.json").read_text()).floor
START = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)


async def _book(conn: Connection, floor: StoredFloor, *, simulated: bool) -> None:
    await insert_booking(
        conn,
        NewBooking(
            restaurant_id=floor.restaurant_id,
            party_size=2,
            start_at=START,
            end_at=START + timedelta(hours=2),
            simulated=simulated,
        ),
    )


async def _count(conn: Connection, sql: str) -> int:
    row = await (await conn.execute(sql)).fetchone()  # type: ignore[arg-type]  # test SQL
    assert row is not None
    return int(row["n"])


async def test_a_new_restaurant_is_created_as_the_simulations(conn: Connection) -> None:
    """An absent restaurant is imported and marked simulated."""
    async with conn.transaction():
        floor = await reset_simulated_restaurant(conn, FLOOR)
    assert floor.plan.slug == FLOOR.slug
    assert await _count(conn, "SELECT count(*) AS n FROM restaurants WHERE simulated") == 1


async def test_a_rerun_clears_only_simulated_bookings(conn: Connection) -> None:
    """A second run over the simulation's restaurant starts with none of its bookings."""
    async with conn.transaction():
        floor = await reset_simulated_restaurant(conn, FLOOR)
        await _book(conn, floor, simulated=True)
        await reset_simulated_restaurant(conn, FLOOR)
    assert await _count(conn, "SELECT count(*) AS n FROM bookings") == 0


async def test_a_rerun_clears_the_last_runs_broken_tables(conn: Connection) -> None:
    """A service day's `table_out` of an earlier run does not break the table again."""
    async with conn.transaction():
        floor = await reset_simulated_restaurant(conn, FLOOR)
        table = floor.plan.tables[0].key
        await add_block(conn, floor, table, start=START, until=START + timedelta(hours=1))
        await reset_simulated_restaurant(conn, FLOOR)
    assert await _count(conn, "SELECT count(*) AS n FROM table_blocks") == 0


async def test_a_restaurant_made_elsewhere_is_refused(conn: Connection) -> None:
    """A restaurant imported by hand is refused, even without bookings, and left as it was."""
    async with conn.transaction():
        await import_floor(conn, FLOOR)
    with pytest.raises(LiveDataRefused, match="not created by a simulation"):
        async with conn.transaction():
            await reset_simulated_restaurant(conn, FLOOR)
    assert await _count(conn, "SELECT count(*) AS n FROM restaurants WHERE simulated") == 0


async def test_a_live_booking_in_a_simulated_restaurant_is_refused(conn: Connection) -> None:
    """A booking no simulation made (over the API, say) makes the reset refuse and keep it."""
    async with conn.transaction():
        floor = await reset_simulated_restaurant(conn, FLOOR)
        await _book(conn, floor, simulated=True)
        await _book(conn, floor, simulated=False)
    with pytest.raises(LiveDataRefused, match="1 booking"):
        async with conn.transaction():
            await reset_simulated_restaurant(conn, FLOOR)
    assert await _count(conn, "SELECT count(*) AS n FROM bookings") == 2
