"""The upkeep puts back what a dead worker leaves: stalled jobs, expired holds, bookings in flight
and bookings without a job."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from procrastinate import App
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.jobs import ProcrastinateQueue
from seatflow.jobs.maintenance import (
    RECOVERY_TRIGGER,
    SWEEP_TRIGGER,
    recover_stuck,
    release_expired_holds,
    requeue_orphans,
    retry_stalled_jobs,
)
from seatflow.pipeline.clock import SystemClock
from seatflow.store.bookings import advance, require_booking, set_status
from seatflow.store.database import Connection
from seatflow.store.events import MemoryEventSink
from seatflow.store.floors import StoredFloor
from seatflow.store.holds import create_hold

S = AssignmentState
BookingFactory = Callable[..., Awaitable[UUID]]
JobRows = Callable[[UUID], Awaitable[list[dict[str, Any]]]]


async def _start_on_dead_worker(app: App, pool: AsyncConnectionPool[Connection]) -> int:
    """A worker takes the next job, then stops sending heartbeats; returns the job id."""
    worker_id = await app.job_manager.register_worker()
    job = await app.job_manager.fetch_job(queues=None, worker_id=worker_id)
    assert job is not None and job.id is not None
    async with pool.connection() as conn:
        await conn.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' "
            "WHERE id = %s",
            (worker_id,),
        )
    return job.id


async def _age(pool: AsyncConnectionPool[Connection], booking_id: UUID) -> None:
    async with pool.connection() as conn:
        await conn.execute(
            "UPDATE bookings SET updated_at = now() - interval '1 hour' WHERE id = %s",
            (booking_id,),
        )


async def test_stalled_job_of_a_dead_worker_goes_back_to_the_queue(
    app: App, pool: AsyncConnectionPool[Connection], make_booking: BookingFactory, jobs_of: JobRows
) -> None:
    """A job left `doing` by a worker without heartbeat is `todo` again after the sweep."""
    booking_id = await make_booking()
    await _start_on_dead_worker(app, pool)
    assert await retry_stalled_jobs(app.job_manager) == 1
    assert [job["status"] for job in await jobs_of(booking_id)] == ["todo"]


async def test_stalled_job_with_a_waiting_successor_is_retired(
    app: App,
    pool: AsyncConnectionPool[Connection],
    queue: ProcrastinateQueue,
    make_booking: BookingFactory,
    jobs_of: JobRows,
) -> None:
    """When another job of the booking already waits, the stalled one fails instead of clashing
    with the queueing lock (procrastinate#1446), so it stops blocking the booking's lock."""
    booking_id = await make_booking()
    await _start_on_dead_worker(app, pool)
    async with pool.connection() as conn:
        await queue.enqueue(conn, booking_id, "retry")
    assert await retry_stalled_jobs(app.job_manager) == 0
    assert [job["status"] for job in await jobs_of(booking_id)] == ["failed", "todo"]


async def test_running_job_of_a_live_worker_is_left_alone(
    app: App, make_booking: BookingFactory, jobs_of: JobRows
) -> None:
    """A worker with a fresh heartbeat keeps its job."""
    booking_id = await make_booking()
    worker_id = await app.job_manager.register_worker()
    assert await app.job_manager.fetch_job(queues=None, worker_id=worker_id) is not None
    assert await retry_stalled_jobs(app.job_manager) == 0
    assert [job["status"] for job in await jobs_of(booking_id)] == ["doing"]


async def test_orphaned_waiting_bookings_get_one_job_each(
    pool: AsyncConnectionPool[Connection],
    queue: ProcrastinateQueue,
    make_booking: BookingFactory,
    jobs_of: JobRows,
) -> None:
    """Only a waiting booking with no job gets one; one with a job or a cancelled one does not."""
    orphan = await make_booking(with_job=False)
    queued = await make_booking()
    cancelled = await make_booking(with_job=False)
    async with pool.connection() as conn:
        await set_status(conn, cancelled, BookingStatus.CANCELLED)
    for booking_id in (orphan, queued, cancelled):
        await _age(pool, booking_id)
    assert await requeue_orphans(pool, queue) == 1
    assert [job["args"]["trigger"] for job in await jobs_of(orphan)] == [SWEEP_TRIGGER]
    assert len(await jobs_of(queued)) == 1
    assert await jobs_of(cancelled) == []
    assert await requeue_orphans(pool, queue) == 0


async def test_booking_left_in_flight_returns_to_pending_with_a_job(
    pool: AsyncConnectionPool[Connection],
    queue: ProcrastinateQueue,
    make_booking: BookingFactory,
    jobs_of: JobRows,
) -> None:
    """A booking committed in assignment_in_progress by a dead worker is pending again, with a
    recovery job and a state-transition event."""
    booking_id = await make_booking(with_job=False)
    async with pool.connection() as conn, conn.transaction():
        booking = await require_booking(conn, booking_id)
        path = (S.CAPACITY_VERIFIED, S.ASSIGNMENT_PENDING, S.ASSIGNMENT_IN_PROGRESS)
        await advance(conn, booking, path, actor="test")
    await _age(pool, booking_id)
    sink = MemoryEventSink()
    assert await recover_stuck(pool, sink, queue) == 1
    async with pool.connection() as conn:
        assert (await require_booking(conn, booking_id)).assignment_state is S.ASSIGNMENT_PENDING
    assert [job["args"]["trigger"] for job in await jobs_of(booking_id)] == [RECOVERY_TRIGGER]
    assert len(sink.of_type("booking.assignment_state_transition")) == 1


async def test_expired_holds_are_released(
    pool: AsyncConnectionPool[Connection], floor: StoredFloor, make_booking: BookingFactory
) -> None:
    """A hold whose lease ran out is deleted by the sweep."""
    booking_id = await make_booking(with_job=False)
    async with pool.connection() as conn, conn.transaction():
        booking = await require_booking(conn, booking_id)
        await create_hold(
            conn,
            floor,
            booking_id,
            ["A"],
            start=booking.start_at,
            end=booking.end_at,
            now=datetime.now(UTC) - timedelta(hours=1),
            ttl=timedelta(minutes=2),
        )
    assert await release_expired_holds(pool, SystemClock()) == 1
