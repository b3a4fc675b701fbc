"""Floor changes on a real database: a change that would strand a live booking is refused with
the booking listed, or hands it back to the pipeline; and neither order of a change and an
assignment planned on the old floor can leave a booking on tables the new floor took away."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.floor import FloorPlan
from seatflow.errors import FloorChangeRefused
from seatflow.jobs import ProcrastinateQueue, build_app
from seatflow.pipeline import coordinator as coordinator_module
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.coordinator import AssignmentCoordinator
from seatflow.pipeline.floor_change import FLOOR_CHANGE, FloorChange, change_floor
from seatflow.pipeline.outcome import OutcomeKind
from seatflow.store.bookings import require_booking, state_history, table_keys
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor, load_floor
from seatflow.store.holds import place_tables

QUEUE = ProcrastinateQueue(build_app())
BookingFactory = Callable[..., Awaitable[UUID]]


def without(floor: FloorPlan, *keys: str) -> FloorPlan:
    """The floor minus these tables and their adjacency."""
    return dataclasses.replace(
        floor,
        tables=tuple(t for t in floor.tables if t.key not in keys),
        adjacency=frozenset(p for p in floor.adjacency if not p & set(keys)),
    )


async def _change(
    conn: Connection, floor: FloorPlan, clock: SimulatedClock, *, reassign: bool = False
) -> FloorChange:
    async with conn.transaction():
        return await change_floor(
            conn, floor, now=clock.now(), queue=QUEUE, actor="test", reassign=reassign
        )


async def _seated(
    coordinator: AssignmentCoordinator, make_booking: BookingFactory, party_size: int
) -> tuple[UUID, tuple[str, ...]]:
    """A booking the coordinator confirmed, and its tables."""
    booking_id = await make_booking(party_size=party_size)
    outcome = await coordinator.process(booking_id, "creation")
    assert outcome.kind is OutcomeKind.CONFIRMED
    return booking_id, outcome.tables


async def _active(conn: Connection, key: str) -> bool:
    row = await (await conn.execute("SELECT active FROM tables WHERE key = %s", (key,))).fetchone()
    await conn.rollback()
    assert row is not None
    return bool(row["active"])


async def _stranded_allocations(conn: Connection) -> list[dict[str, Any]]:
    """Live allocations on tables that are no longer on the floor."""
    cursor = await conn.execute(
        "SELECT a.booking_id, t.key FROM allocations a JOIN tables t ON t.id = a.table_id "
        "WHERE a.released_at IS NULL AND NOT t.active"
    )
    rows = await cursor.fetchall()
    await conn.rollback()
    return list(rows)


async def test_a_change_that_strands_a_booking_is_refused_and_writes_nothing(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    clock: SimulatedClock,
) -> None:
    """Removing the table a confirmed booking holds raises FloorChangeRefused naming the booking,
    its tables and why; the table stays active and the booking keeps it."""
    booking_id, tables = await _seated(coordinator, make_booking, 2)
    async with pool.connection() as conn:
        with pytest.raises(FloorChangeRefused) as refused:
            await _change(conn, without(floor.plan, *tables), clock)
        [stranded] = refused.value.stranded
        assert stranded.seating.booking_id == str(booking_id)
        assert stranded.seating.tables == tables
        assert f"table {tables[0]} is no longer on the floor" == stranded.reason
        assert await _active(conn, tables[0])
        assert tuple(await table_keys(conn, booking_id)) == tables
        assert (await load_floor(conn, floor.plan.slug)).version == floor.version


async def test_a_change_that_breaks_a_combination_is_refused(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    clock: SimulatedClock,
) -> None:
    """A party of six on B+C is stranded when B and C stop being adjacent, though both stay."""
    booking_id, tables = await _seated(coordinator, make_booking, 6)
    assert tables == ("B", "C")
    apart = dataclasses.replace(floor.plan, adjacency=frozenset())
    async with pool.connection() as conn:
        with pytest.raises(FloorChangeRefused) as refused:
            await _change(conn, apart, clock)
    assert [s.reason for s in refused.value.stranded] == ["tables B, C are no longer adjacent"]


async def test_a_change_that_strands_nothing_goes_through(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    clock: SimulatedClock,
) -> None:
    """Removing a table nobody holds imports as before, leaving the booking where it is."""
    booking_id, tables = await _seated(coordinator, make_booking, 6)
    async with pool.connection() as conn:
        change = await _change(conn, without(floor.plan, "A"), clock)
        assert change.reassigned == () and not change.created
        assert not await _active(conn, "A")
        assert tuple(await table_keys(conn, booking_id)) == tables


async def test_reassign_hands_the_booking_back_to_the_pipeline(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    clock: SimulatedClock,
) -> None:
    """With reassign, the stranded booking's tables are released, it walks back to
    `assignment_pending` (reason floor_change) with a `floor_change` job, and the coordinator
    then seats it on the new floor."""
    booking_id, tables = await _seated(coordinator, make_booking, 2)
    smaller = without(floor.plan, *tables)
    async with pool.connection() as conn:
        change = await _change(conn, smaller, clock, reassign=True)
        assert [s.seating.booking_id for s in change.reassigned] == [str(booking_id)]
        assert [(t.from_state, t.to_state) for t in change.transitions] == [
            ("confirmed", "assignment_pending")
        ]
        booking = await require_booking(conn, booking_id)
        assert (booking.status, booking.assignment_state) == ("pending", "assignment_pending")
        assert await table_keys(conn, booking_id) == []
        assert (await state_history(conn, booking_id))[-1]["reason"] == FLOOR_CHANGE
        jobs = await (
            await conn.execute("SELECT args FROM procrastinate_jobs WHERE status = 'todo'")
        ).fetchall()
        assert [row["args"] for row in jobs] == [
            {"booking_id": str(booking_id), "trigger": FLOOR_CHANGE}
        ]
        await conn.rollback()
    outcome = await coordinator.process(booking_id, FLOOR_CHANGE)
    assert outcome.kind is OutcomeKind.CONFIRMED
    assert not set(outcome.tables) & set(tables)
    async with pool.connection() as conn:
        assert await _stranded_allocations(conn) == []


async def test_an_assignment_planned_on_the_old_floor_cannot_commit(
    db_url: str,
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A floor change that removes the planned table commits between the coordinator's plan and
    its writes: the confirm fails (VersionConflict, retried) instead of seating the booking on a
    table the floor no longer has."""
    booking_id = await make_booking(party_size=2)
    real_apply = coordinator_module.apply_plan

    async def floor_changes_first(*args: Any, **kwargs: Any) -> Any:
        planned = args[3].tables  # apply_plan(conn, floor, booking, plan, …)
        async with await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row) as other:
            await _change(other, without(floor.plan, *planned), clock)
        return await real_apply(*args, **kwargs)

    monkeypatch.setattr(coordinator_module, "apply_plan", floor_changes_first)
    outcome = await coordinator.process(booking_id, "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.RETRY, "VersionConflict")
    async with pool.connection() as conn:
        assert await _stranded_allocations(conn) == []
        assert await table_keys(conn, booking_id) == []
    monkeypatch.undo()
    retried = await coordinator.process(booking_id, "retry")  # plans on the new floor
    assert retried.kind is OutcomeKind.CONFIRMED
    async with pool.connection() as conn:
        assert await _stranded_allocations(conn) == []


async def test_an_assigner_fails_at_once_while_a_change_is_in_progress(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    clock: SimulatedClock,
) -> None:
    """While a floor change holds its lock, a confirm does not wait for it: it fails at once
    (VersionConflict, retried later), and the change commits undisturbed."""
    booking_id = await make_booking(party_size=2)
    async with pool.connection() as changing, changing.transaction():
        await change_floor(
            changing, without(floor.plan, "C"), now=clock.now(), queue=QUEUE, actor="test"
        )
        outcome = await asyncio.wait_for(coordinator.process(booking_id, "creation"), 30)
    assert (outcome.kind, outcome.reason) == (OutcomeKind.RETRY, "VersionConflict")
    async with pool.connection() as conn:
        assert await table_keys(conn, booking_id) == []
        assert not await _active(conn, "C")


async def test_a_change_waits_for_an_assignment_in_flight_and_sees_it(
    db_url: str,
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    make_booking: BookingFactory,
    clock: SimulatedClock,
) -> None:
    """A change that starts while an allocation of table A is uncommitted waits for it, then
    finds the booking on A and refuses: neither commits beside the other unseen."""
    booking_id = await make_booking(party_size=2)
    async with pool.connection() as assigning:
        booking = await require_booking(assigning, booking_id)
        await assigning.rollback()
        async with assigning.transaction():
            await place_tables(
                assigning,
                floor,
                booking_id,
                ["A"],
                start=booking.start_at,
                end=booking.end_at,
                now=clock.now(),
                ttl=timedelta(minutes=2),
            )
            change = asyncio.create_task(_change_elsewhere(db_url, without(floor.plan, "A"), clock))
            await _until_waiting_for_the_floor_lock(pool)
            assert not change.done()
        with pytest.raises(FloorChangeRefused) as refused:
            await asyncio.wait_for(change, 30)
    assert [s.seating.booking_id for s in refused.value.stranded] == [str(booking_id)]


async def _change_elsewhere(url: str, floor: FloorPlan, clock: SimulatedClock) -> FloorChange:
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        return await _change(conn, floor, clock)


async def _until_waiting_for_the_floor_lock(pool: AsyncConnectionPool[Connection]) -> None:
    """Poll until some session waits on an advisory lock (the floor change's exclusive one)."""
    async with pool.connection() as conn:
        for _ in range(3000):
            row = await (
                await conn.execute(
                    "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                )
            ).fetchone()
            await conn.rollback()
            if row is not None and row["n"] > 0:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("the floor change never waited for the floor lock")
