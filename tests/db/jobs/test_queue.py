"""The assignment queue writes a booking's job in the caller's transaction, at most one waiting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from psycopg_pool import AsyncConnectionPool

from seatflow.jobs import ProcrastinateQueue
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor

JobRows = Callable[[UUID], Awaitable[list[dict[str, Any]]]]


class _Abandon(Exception):
    """Raised to roll the caller's transaction back."""


def _row(floor: StoredFloor) -> NewBooking:
    start = datetime.now(UTC) + timedelta(days=3)
    return NewBooking(
        restaurant_id=floor.restaurant_id,
        party_size=2,
        start_at=start,
        end_at=start + timedelta(hours=2),
    )


async def _count(pool: AsyncConnectionPool[Connection], table: str) -> int:
    async with pool.connection() as conn:
        row = await (await conn.execute(f"SELECT count(*) AS n FROM {table}")).fetchone()  # type: ignore[arg-type]  # fixed table names
    assert row is not None
    return int(row["n"])


@pytest.mark.parametrize("new_booking", [False, True])
async def test_rolled_back_insert_leaves_no_job(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    queue: ProcrastinateQueue,
    new_booking: bool,
) -> None:
    """When the booking insert rolls back, its job rolls back with it (savepoint or not)."""
    with pytest.raises(_Abandon):
        async with pool.connection() as conn, conn.transaction():
            booking = await insert_booking(conn, _row(floor))
            await queue.enqueue(conn, booking.id, "creation", new_booking=new_booking)
            raise _Abandon
    assert await _count(pool, "bookings") == 0
    assert await _count(pool, "procrastinate_jobs") == 0


async def test_second_enqueue_keeps_one_waiting_job_and_the_transaction(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    queue: ProcrastinateQueue,
    jobs_of: JobRows,
) -> None:
    """A second enqueue while a job waits is absorbed; the booking and one job commit."""
    async with pool.connection() as conn, conn.transaction():
        booking = await insert_booking(conn, _row(floor))
        assert await queue.defer(conn, booking.id, "creation")
        assert not await queue.defer(conn, booking.id, "modification")
        await queue.enqueue(conn, booking.id, "creation")
    jobs = await jobs_of(booking.id)
    assert [(job["status"], job["args"]["trigger"]) for job in jobs] == [("todo", "creation")]
    assert await _count(pool, "bookings") == 1


async def test_a_new_bookings_job_commits_with_it_locked_on_the_booking(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    queue: ProcrastinateQueue,
    jobs_of: JobRows,
) -> None:
    """Without the savepoint a new booking's job still carries its lock and queueing lock, so
    a later enqueue of the same booking is absorbed as before."""
    async with pool.connection() as conn, conn.transaction():
        booking = await insert_booking(conn, _row(floor))
        await queue.enqueue(conn, booking.id, "creation", new_booking=True)
        assert not await queue.defer(conn, booking.id, "modification")
    (job,) = await jobs_of(booking.id)
    assert job["lock"] == job["queueing_lock"] == f"booking:{booking.id}"
    assert (job["status"], job["args"]["trigger"]) == ("todo", "creation")


async def test_delay_schedules_the_job_later(
    pool: AsyncConnectionPool[Connection],
    floor: StoredFloor,
    queue: ProcrastinateQueue,
    jobs_of: JobRows,
) -> None:
    """A delayed enqueue is not due before its delay has passed."""
    async with pool.connection() as conn, conn.transaction():
        booking = await insert_booking(conn, _row(floor))
        await queue.enqueue(conn, booking.id, "retry", timedelta(seconds=30))
    (job,) = await jobs_of(booking.id)
    assert job["scheduled_at"] > datetime.now(UTC) + timedelta(seconds=20)
