"""The whole-turn sweep on a real database (pipeline/whole_turns.py): a late party kept short of
its turn at the door gets it once the booking in its way can move — moved in the same
transaction, recorded as a move by `sweep:whole_turn` — and nothing changes while it cannot."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from seatflow.pipeline.cancellation import cancel
from seatflow.pipeline.coordinator import AssignmentCoordinator
from seatflow.pipeline.whole_turns import WHOLE_TURN, give_whole_turns
from seatflow.store.bookings import require_booking, table_keys
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.moves import moves_of

from .conftest import BUDGET, START, BookingFactory, arrive, confirmed, held_until

#: A couple's turn (90) and the buffer (15): the occupancy a party of two books.
COUPLE = timedelta(minutes=105)


async def _kept_short(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> tuple[UUID, UUID, list[UUID]]:
    """A couple on A seated 10 minutes late, the next couple booked on A at its booked end,
    and two threes on B and C then: nothing can move, so it keeps A only until its booked end."""
    late = await make_booking(party_size=2)
    assert await confirmed(coordinator, late) == ("A",)
    nxt = await make_booking(party_size=2, start=START + COUPLE)
    assert await confirmed(coordinator, nxt) == ("A",)
    threes = [await make_booking(party_size=3, start=START + COUPLE) for _ in range(2)]
    for three in threes:
        await confirmed(coordinator, three)
    seated = await arrive(pool, live, late, 10)
    assert seated.kept and seated.end == START + COUPLE
    return late, nxt, threes


async def test_nothing_moves_while_the_way_cannot_be_cleared(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    late, nxt, _ = await _kept_short(pool, live, make_booking, coordinator)
    now = START + timedelta(minutes=30)
    given = await give_whole_turns(
        pool, now=now, repack_budget_ms=BUDGET, restaurant_id=live.restaurant_id
    )
    assert given == []
    assert await held_until(pool, late) == START + COUPLE
    async with pool.connection() as conn:
        assert await table_keys(conn, nxt) == ["A"]
        assert await moves_of(conn, nxt) == []


async def test_the_turn_is_given_once_room_opens(
    pool: AsyncConnectionPool[Connection],
    live: StoredFloor,
    make_booking: BookingFactory,
    coordinator: AssignmentCoordinator,
) -> None:
    """One three cancels: the next couple moves to its table at once, and the late couple holds
    A until its whole turn ends (seated at +10, so 10 minutes past its booked end)."""
    late, nxt, threes = await _kept_short(pool, live, make_booking, coordinator)
    now = START + timedelta(minutes=30)
    async with pool.connection() as conn, conn.transaction():
        gone = await require_booking(conn, threes[0], for_update=True)
        await cancel(conn, gone, now=now, actor="test")
    given = await give_whole_turns(
        pool, now=now, repack_budget_ms=BUDGET, restaurant_id=live.restaurant_id
    )
    whole = START + timedelta(minutes=10) + COUPLE
    assert [(g.booking_id, g.until) for g in given] == [(late, whole)]
    assert [m.booking_id for m in given[0].moved] == [str(nxt)]
    assert await held_until(pool, late) == whole
    async with pool.connection() as conn:
        assert await table_keys(conn, nxt) != ["A"]
        moves = await moves_of(conn, nxt)
    assert [(m["from_tables"], m["actor"], m["reason"]) for m in moves] == [
        (["A"], f"sweep:{WHOLE_TURN}", WHOLE_TURN)
    ]
