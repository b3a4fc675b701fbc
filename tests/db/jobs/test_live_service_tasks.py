"""The live service's periodic task bodies as a worker runs them (its deps, the system clock):
no-shows released, an overstay extended and what it collides with queued with trigger
`overstay` — each with its floor event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from psycopg_pool import AsyncConnectionPool

from db.jobs.conftest import JobRows
from seatflow.bootstrap import Services, services
from seatflow.domain.service import ServicePeriod, ServiceRules
from seatflow.domain.states import BookingStatus
from seatflow.jobs import ProcrastinateQueue, tasks
from seatflow.pipeline.metrics import Metrics
from seatflow.pipeline.seating import ARRIVING, seat_walk_in
from seatflow.settings import Settings
from seatflow.store.bookings import NewBooking, insert_booking, require_booking
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor, load_floor
from seatflow.store.live_service import change_status, seat_on
from seatflow.store.service_rules import save_rules

ALL_DAY = ServiceRules(
    periods=(
        ServicePeriod(
            key="all_day",
            weekdays=frozenset(range(1, 8)),
            first_seating=time(0, 0),
            last_seating=time(23, 59),
        ),
    )
)


@pytest.fixture
async def wired(db_url: str) -> AsyncIterator[Services]:
    settings = Settings(_env_file=None, DATABASE_URL=db_url)  # type: ignore[call-arg]
    async with services(settings, db_url, pool_size=2) as svc:
        yield svc


def context(svc: Services, queue: ProcrastinateQueue) -> Any:
    """What a task body reads of procrastinate's JobContext: the worker's deps."""
    deps = tasks.WorkerDeps(services=svc, queue=queue, metrics=Metrics())
    return SimpleNamespace(additional_context={tasks.DEPS_KEY: deps})


async def floor_events(pool: AsyncConnectionPool[Connection]) -> list[tuple[Any, ...]]:
    async with pool.connection() as conn:
        cursor = await conn.execute(
            "SELECT event_type, booking_id, context FROM observability_events "
            "WHERE source = 'service.floor' ORDER BY id"
        )
        return [(r["event_type"], r["booking_id"], r["context"]) for r in await cursor.fetchall()]


async def _booking(conn: Connection, floor: StoredFloor, start: datetime) -> UUID:
    begin, end = floor.plan.policy.occupancy(start, 2)
    row = NewBooking(restaurant_id=floor.restaurant_id, party_size=2, start_at=begin, end_at=end)
    return (await insert_booking(conn, row)).id


async def test_the_no_show_task_releases_reservations_past_their_grace(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    queue: ProcrastinateQueue,
    wired: Services,
) -> None:
    """A reservation 30 minutes past its start with nobody seated: released, one event."""
    now = datetime.now(UTC)
    async with pool.connection() as conn, conn.transaction():
        await save_rules(conn, floor.restaurant_id, ALL_DAY)
        late = await _booking(conn, floor, now - timedelta(minutes=30))
        coming = await _booking(conn, floor, now + timedelta(minutes=30))
    assert await tasks.release_no_shows(context(wired, queue), 0) == 1
    async with pool.connection() as conn:
        assert (await require_booking(conn, late)).status == "no_show"
        assert (await require_booking(conn, coming)).status == "pending"
    await wired.sink.flush()
    [(event_type, booking_id, ctx)] = await floor_events(pool)
    assert (event_type, booking_id, ctx["by"]) == ("floor.no_show", late, "sweep")


async def test_the_overstay_task_extends_and_queues_the_successor(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    queue: ProcrastinateQueue,
    wired: Services,
    jobs_of: JobRows,
) -> None:
    """A party seated two hours ago on a 90-minute turn keeps its table; the booking placed on
    that table next is handed back with a job of trigger `overstay`."""
    now = datetime.now(UTC)
    async with pool.connection() as conn, conn.transaction():
        seated = await seat_walk_in(
            conn,
            floor,
            ServiceRules(),
            party_size=2,
            now=now - timedelta(hours=2),
            actor="test",
            repack_budget_ms=0,
        )
        (table,) = seated.tables
        successor = await _booking(conn, floor, now)
        begin, end = floor.plan.policy.occupancy(now, 2)
        await seat_on(conn, floor, successor, [table], start=begin, end=end)
    assert await tasks.extend_overstays(context(wired, queue), 0) == 1
    async with pool.connection() as conn:
        assert (await require_booking(conn, successor)).assignment_state == "assignment_pending"
    assert [j["args"]["trigger"] for j in await jobs_of(successor)] == ["overstay"]
    await wired.sink.flush()
    [(event_type, booking_id, ctx)] = await floor_events(pool)
    assert (event_type, booking_id) == ("floor.overstay_extended", seated.booking.id)
    assert ctx["displaced"] == [str(successor)]
    assert datetime.fromisoformat(ctx["until"]) > now


@pytest.mark.parametrize("v3", [True, False])
async def test_the_whole_turn_task_gives_a_party_kept_short_its_turn(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    queue: ProcrastinateQueue,
    db_url: str,
    v3: bool,
) -> None:
    """A couple seated 30 minutes ago holds its table only for another 30: nobody is booked
    there after, so the task gives it its whole turn (90 + 15 from when it sat) and says so —
    where the flags route the restaurant to V3; the legacy path never moves anyone early."""
    now = datetime.now(UTC)
    sat = now - timedelta(minutes=30)
    async with pool.connection() as conn:
        async with conn.transaction():
            await save_rules(conn, floor.restaurant_id, ALL_DAY)
        floor = await load_floor(conn, floor.plan.slug)  # the rules moved its version
    async with pool.connection() as conn, conn.transaction():
        couple = await _booking(conn, floor, sat)
        await seat_on(conn, floor, couple, ["A"], start=sat, end=now + timedelta(minutes=30))
        await change_status(
            conn, couple, BookingStatus.SEATED, expected=ARRIVING, at=sat, reason="arrived"
        )
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, DATABASE_URL=db_url, FEATURE_ASSIGNMENT_PIPELINE_V3=v3
    )
    async with services(settings, db_url, pool_size=2) as svc:
        given = await tasks.give_whole_turns(context(svc, queue), 0)
        await svc.sink.flush()
    if not v3:
        assert given == 0 and await floor_events(pool) == []
        return
    assert given == 1
    [(event_type, booking_id, ctx)] = await floor_events(pool)
    assert (event_type, booking_id) == ("floor.whole_turn_given", couple)
    assert datetime.fromisoformat(ctx["until"]) == sat + timedelta(minutes=105)
    assert ctx["moved"] == []
