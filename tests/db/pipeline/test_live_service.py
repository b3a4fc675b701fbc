"""The live service on a real database: arrivals at the door, departures, no-shows, overstays,
broken tables, and the two triggers migration 0007 adds (moves recorded, blocked tables refused).

The small floor (A seats 2; B and C seat 4 and join) gets a dinner period, so the restaurant runs
its live service in seatflow (arrivals reported, no-shows swept).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.states import BookingStatus
from seatflow.errors import SeatingRefused, TablesTaken
from seatflow.pipeline.cancellation import cancel
from seatflow.pipeline.coordinator import AssignmentCoordinator
from seatflow.pipeline.departures import depart
from seatflow.pipeline.outcome import OutcomeKind
from seatflow.pipeline.seating import seat_walk_in
from seatflow.pipeline.service_sweeps import OVERSTAY, extend_overstays, release_no_shows
from seatflow.pipeline.table_blocks import block_table
from seatflow.store.blocks import add_block
from seatflow.store.bookings import require_booking, table_keys
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.holds import place_tables
from seatflow.store.live_service import attribute
from seatflow.store.moves import moves_of
from seatflow.store.service_rules import load_rules

from .conftest import RULES, START, BookingFactory, Jobs, arrive, confirmed, held_until


async def test_rules_round_trip(pool: AsyncConnectionPool[Connection], live: StoredFloor) -> None:
    async with pool.connection() as conn:
        assert await load_rules(conn, live.restaurant_id) == RULES


async def test_an_arrival_keeps_its_tables_and_is_seated(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    booking_id = await make_booking(party_size=2)
    tables = await confirmed(coordinator, booking_id)
    seated = await arrive(pool, live, booking_id, 5)
    assert seated.kept and seated.tables == tables
    async with pool.connection() as conn:
        booking = await require_booking(conn, booking_id)
        assert booking.status is BookingStatus.SEATED
        assert booking.seated_at == START + timedelta(minutes=5)
        assert await moves_of(conn, booking_id) == []


async def test_a_late_party_gets_its_whole_turn_when_the_next_booking_can_move(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    """Its turn runs from when it sits: the floor is arranged for that now, while there is
    still room, rather than at its booked end when the overstay sweep would find it there."""
    first = await make_booking(party_size=2)
    assert await confirmed(coordinator, first) == ("A",)
    booked_end = START + timedelta(minutes=105)
    second = await make_booking(party_size=2, start=booked_end)
    assert await confirmed(coordinator, second) == ("A",)
    seated = await arrive(pool, live, first, 10)
    assert seated.end - seated.start == booked_end - START  # the whole turn and buffer, from now
    async with pool.connection() as conn:
        tables = {first: await table_keys(conn, first), second: await table_keys(conn, second)}
        moved = await moves_of(conn, first) + await moves_of(conn, second)
    assert not set(tables[first]) & set(tables[second])
    assert [m["reason"] for m in moved] == ["arrival"]  # one of the two changed tables, once


async def test_a_late_party_keeps_its_tables_until_its_booked_end(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    """When no arrangement gives it the whole turn (B and C are taken then), the next booking on
    its table is not moved at the door; the overstay sweep does it if the party is still there
    at its booked end."""
    first = await make_booking(party_size=2)
    assert await confirmed(coordinator, first) == ("A",)
    booked_end = START + timedelta(minutes=105)
    second = await make_booking(party_size=2, start=booked_end)
    assert await confirmed(coordinator, second) == ("A",)
    threes = [await make_booking(party_size=3, start=booked_end) for _ in range(2)]
    for three in threes:
        await confirmed(coordinator, three)
    seated = await arrive(pool, live, first, 10)
    assert seated.kept and seated.end == booked_end
    async with pool.connection() as conn, conn.transaction():
        assert await table_keys(conn, second) == ["A"]
        gone = await require_booking(conn, threes[0], for_update=True)  # room opens later
        await cancel(conn, gone, now=START + timedelta(minutes=30), actor="test")
    jobs = Jobs()
    extended = await extend_overstays(
        pool, now=booked_end - timedelta(minutes=15), queue=jobs, restaurant_id=live.restaurant_id
    )
    assert [e.displaced for e in extended] == [(second,)]
    assert jobs.queued == [(second, OVERSTAY)]
    outcome = await coordinator.process(second, OVERSTAY)
    assert outcome.kind is OutcomeKind.CONFIRMED and outcome.tables != ("A",)
    async with pool.connection() as conn:
        moves = await moves_of(conn, second)
    assert [(m["from_tables"], m["reason"]) for m in moves] == [(["A"], OVERSTAY)]


async def test_departure_frees_the_tables_from_now_plus_the_buffer(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    booking_id = await make_booking(party_size=2)
    await confirmed(coordinator, booking_id)
    await arrive(pool, live, booking_id, 0)
    left = START + timedelta(minutes=40)
    async with pool.connection() as conn:
        async with conn.transaction():
            done = await depart(conn, live, booking_id, now=left)
        assert done.status is BookingStatus.COMPLETED and done.left_at == left
    assert await held_until(pool, booking_id) == left + timedelta(minutes=15)


async def test_no_show_sweep_releases_at_the_grace_deadline(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    booking_id = await make_booking(party_size=2)
    await confirmed(coordinator, booking_id)
    early = START + timedelta(minutes=14)
    assert await release_no_shows(pool, now=early, restaurant_id=live.restaurant_id) == []
    deadline = START + timedelta(minutes=15)
    released = await release_no_shows(pool, now=deadline, restaurant_id=live.restaurant_id)
    assert released == [booking_id]
    async with pool.connection() as conn:
        booking = await require_booking(conn, booking_id)
        assert booking.status is BookingStatus.NO_SHOW
        assert await table_keys(conn, booking_id) == []


async def test_walk_ins_are_seated_until_the_floor_is_full_and_then_told_when(
    pool: AsyncConnectionPool[Connection], live: StoredFloor
) -> None:
    now = START
    seated = []
    with pytest.raises(SeatingRefused) as refused:
        for _ in range(4):
            async with pool.connection() as conn, conn.transaction():
                walk_in = await seat_walk_in(
                    conn, live, RULES, party_size=2, now=now, actor="test", repack_budget_ms=0
                )
            seated.append(walk_in.tables)
    assert sorted(seated) == [("A",), ("B",), ("C",)]
    assert refused.value.reason == "no_table_free"
    assert refused.value.earliest == now + timedelta(minutes=105)


async def test_walk_ins_are_refused_outside_service_hours(
    pool: AsyncConnectionPool[Connection], live: StoredFloor
) -> None:
    with pytest.raises(SeatingRefused) as refused:
        async with pool.connection() as conn, conn.transaction():
            await seat_walk_in(
                conn,
                live,
                RULES,
                party_size=2,
                now=START.replace(hour=4),
                actor="test",
                repack_budget_ms=0,
            )
    assert refused.value.reason == "outside_service_hours"


async def test_a_broken_table_hands_its_bookings_back_and_takes_nothing_new(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    booking_id = await make_booking(party_size=4)
    tables = await confirmed(coordinator, booking_id)
    jobs = Jobs()
    async with pool.connection() as conn, conn.transaction():
        blocked = await block_table(
            conn,
            live,
            tables[0],
            start=START - timedelta(hours=1),
            until=START + timedelta(hours=3),
            now=START - timedelta(hours=2),
            queue=jobs,
            actor="test",
        )
    assert blocked.displaced == (booking_id,)
    outcome = await coordinator.process(booking_id, "table_out")
    assert outcome.kind is OutcomeKind.CONFIRMED and tables[0] not in outcome.tables


async def test_the_database_refuses_an_allocation_on_a_blocked_table(
    pool: AsyncConnectionPool[Connection], live: StoredFloor, make_booking: BookingFactory
) -> None:
    booking_id = await make_booking(party_size=2)
    async with pool.connection() as conn:
        async with conn.transaction():
            await add_block(conn, live, "A", start=START, until=START + timedelta(hours=1))
        with pytest.raises(TablesTaken):
            async with conn.transaction():
                await place_tables(
                    conn,
                    live,
                    booking_id,
                    ["A"],
                    start=START,
                    end=START + timedelta(minutes=105),
                    now=START - timedelta(days=1),
                    ttl=timedelta(minutes=2),
                )


async def test_every_change_of_tables_is_recorded_once_with_who_and_why(
    pool: AsyncConnectionPool[Connection], live: StoredFloor, make_booking: BookingFactory
) -> None:
    booking_id = await make_booking(party_size=2)
    now = START - timedelta(days=1)
    for tables in (["A"], ["A"], ["B"]):
        async with pool.connection() as conn, conn.transaction():
            await attribute(conn, actor="staff:1", reason="by hand", now=now)
            await place_tables(
                conn,
                live,
                booking_id,
                tables,
                start=START,
                end=START + timedelta(minutes=105),
                now=now,
                ttl=timedelta(minutes=2),
            )
    async with pool.connection() as conn:
        moves = await moves_of(conn, booking_id)
    assert [(m["from_tables"], m["to_tables"], m["actor"], m["reason"]) for m in moves] == [
        (["A"], ["B"], "staff:1", "by hand")
    ]
    assert moves[0]["moved_at"] == now


async def _door_with_b_free_at(
    pool: AsyncConnectionPool[Connection], live: StoredFloor, minutes: int
) -> None:
    """C broken all evening, B broken until START + `minutes`: only A is free at START."""
    async with pool.connection() as conn, conn.transaction():
        await add_block(
            conn, live, "C", start=START - timedelta(hours=2), until=START + timedelta(hours=4)
        )
        await add_block(
            conn,
            live,
            "B",
            start=START - timedelta(hours=2),
            until=START + timedelta(minutes=minutes),
        )


async def test_guests_at_the_door_sit_on_the_table_of_a_party_still_on_its_way(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    """A couple booked on A has not arrived; another booked couple stands at the door with no
    table (B frees at 19:05). They sit on A now; the absent couple gets B from 19:05, within its
    grace, its turn kept whole — recorded as a move at the arrival."""
    absent = await make_booking(party_size=2)
    assert await confirmed(coordinator, absent) == ("A",)
    await _door_with_b_free_at(pool, live, 5)
    at_door = await make_booking(party_size=2)  # booked, never placed: no table was free
    seated = await arrive(pool, live, at_door, 0)
    assert seated.tables == ("A",)
    assert seated.delayed == {str(absent): START + timedelta(minutes=5)}
    async with pool.connection() as conn:
        assert await table_keys(conn, absent) == ["B"]
        row = await (
            await conn.execute(
                "SELECT lower(during) AS start_at, upper(during) AS end_at FROM allocations"
                " WHERE booking_id = %s AND released_at IS NULL",
                (absent,),
            )
        ).fetchone()
        booking = await require_booking(conn, absent)
        moves = await moves_of(conn, absent)
    assert row is not None and row["start_at"] == START + timedelta(minutes=5)
    assert row["end_at"] - row["start_at"] == booking.end_at - booking.start_at
    assert [(m["from_tables"], m["to_tables"], m["reason"]) for m in moves] == [
        (["A"], ["B"], "arrival")
    ]


async def test_nobody_is_delayed_past_their_grace_for_guests_at_the_door(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    """B frees at 19:20, after the absent couple's 15 minutes of grace: the guests at the door
    are told when, and the absent couple keeps A."""
    absent = await make_booking(party_size=2)
    assert await confirmed(coordinator, absent) == ("A",)
    await _door_with_b_free_at(pool, live, 20)
    at_door = await make_booking(party_size=2)
    with pytest.raises(SeatingRefused):
        await arrive(pool, live, at_door, 0)
    async with pool.connection() as conn:
        assert await table_keys(conn, absent) == ["A"]
