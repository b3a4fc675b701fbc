"""Fixtures for job tests: a pool, an opened procrastinate App with its queue, a small floor, and
bookings written the way the API writes them (or without a job, as a lost one would be)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from procrastinate import App
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.jobs import ProcrastinateQueue, build_app
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.database import Connection, open_pool
from seatflow.store.floors import StoredFloor, import_floor, load_floor

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)

FLOOR = FloorPlan(
    slug="jobs",
    name="Jobs",
    policy=VenuePolicy(
        turn_minutes=(TurnRule(max_party=99, minutes=90),),
        buffer_minutes=15,
        max_tables_per_booking=2,
    ),
    zones=(Zone(key="main", name="Main"),),
    tables=(Table(key="A", zone="main", capacity=4), Table(key="B", zone="main", capacity=4)),
    adjacency=frozenset({frozenset({"A", "B"})}),
)

BookingFactory = Callable[..., Awaitable[UUID]]


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[AsyncConnectionPool[Connection]]:
    """A small pool on this test's database."""
    async with open_pool(db_url, max_size=4) as opened:
        yield opened


@pytest.fixture
async def app(db_url: str) -> AsyncIterator[App]:
    """A seatflow procrastinate App, opened on this test's database."""
    opened = build_app(db_url)
    async with opened.open_async():
        yield opened


@pytest.fixture
def queue(app: App) -> ProcrastinateQueue:
    """The assignment queue on that App."""
    return ProcrastinateQueue(app)


@pytest.fixture
async def floor(pool: AsyncConnectionPool[Connection]) -> StoredFloor:
    """A two-table floor, imported."""
    async with pool.connection() as conn:
        async with conn.transaction():
            await import_floor(conn, FLOOR)
        return await load_floor(conn, FLOOR.slug)


@pytest.fixture
def make_booking(
    pool: AsyncConnectionPool[Connection], floor: StoredFloor, queue: ProcrastinateQueue
) -> BookingFactory:
    """Insert a booking (committed) with its job, or without one when `with_job=False`."""

    async def make(party_size: int = 2, *, with_job: bool = True) -> UUID:
        begin, end = floor.plan.policy.occupancy(START, party_size)
        row = NewBooking(
            restaurant_id=floor.restaurant_id, party_size=party_size, start_at=begin, end_at=end
        )
        async with pool.connection() as conn, conn.transaction():
            record = await insert_booking(conn, row)
            if with_job:
                await queue.enqueue(conn, record.id, "creation")
        return record.id

    return make


JobRows = Callable[[UUID], Awaitable[list[dict[str, Any]]]]


@pytest.fixture
def jobs_of(pool: AsyncConnectionPool[Connection]) -> JobRows:
    """The booking's procrastinate jobs, oldest first."""

    async def rows(booking_id: UUID) -> list[dict[str, Any]]:
        async with pool.connection() as conn:
            result = await conn.execute(
                "SELECT id, status, args, scheduled_at, worker_id, lock, queueing_lock "
                "FROM procrastinate_jobs "
                "WHERE lock = %s ORDER BY id",
                (f"booking:{booking_id}",),
            )
            return list(await result.fetchall())

    return rows
