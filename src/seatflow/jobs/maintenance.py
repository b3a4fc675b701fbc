"""The upkeep behind "a booking is never lost", run by the periodic tasks (and directly by tests).

A worker can die anywhere. Its assignment transaction then rolls back (nothing half-done stays),
but its job is left `doing`, holding the booking's lock; these sweeps put every piece back:

- stalled jobs of dead workers (no heartbeat) go back to `todo`;
- expired, unconfirmed holds are deleted;
- bookings left in flight (`assignment_in_progress` / `assigned`) return to pending, with a job;
- any booking waiting for assignment that no job waits or runs for gets one.

Beside them, idempotency keys past their retention are deleted (readers already ignore them).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from importlib import resources

import structlog
from procrastinate import exceptions, jobs
from procrastinate.manager import JobManager
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.states import TERMINAL_STATUSES
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.clock import Clock
from seatflow.pipeline.recovery import recover_stuck_bookings
from seatflow.pipeline.telemetry import state_transition_event
from seatflow.store.database import Connection
from seatflow.store.events import EventSink
from seatflow.store.holds import sweep_expired_holds
from seatflow.store.idempotency import sweep_keys
from seatflow.store.queries import parse_blocks

__all__ = [
    "RECOVERY_TRIGGER",
    "SWEEP_TRIGGER",
    "recover_stuck",
    "release_expired_holds",
    "requeue_orphans",
    "retry_stalled_jobs",
    "sweep_idempotency_keys",
]

#: Triggers of jobs the upkeep writes (not re-triggers: a settled booking stays settled).
RECOVERY_TRIGGER = "recovery"
SWEEP_TRIGGER = "sweep"

log = structlog.get_logger(__name__)


@cache
def _sql(name: str) -> str:
    text = resources.files("seatflow.jobs").joinpath("jobs.sql").read_text()
    return parse_blocks(text)[name]


async def retry_stalled_jobs(manager: JobManager, *, seconds_since_heartbeat: float = 30) -> int:
    """Put the running jobs of workers without a heartbeat back to `todo`; returns how many."""
    retried = 0
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat):
        assert job.id is not None
        try:
            await manager.retry_job(job)
            retried += 1
        except exceptions.UniqueViolation:
            # procrastinate#1446 / #1432: another job of the booking already waits (same queueing
            # lock) and will run it; the stalled one only has to stop holding the booking's lock.
            await _finish_quietly(manager, job.id)
        except exceptions.ConnectorException as exc:  # no longer `doing`: someone got there first
            log.info("stalled_job_gone", job_id=job.id, error=str(exc.__cause__ or exc))
    if retried:
        log.warning("stalled_jobs_retried", count=retried)
    return retried


async def _finish_quietly(manager: JobManager, job_id: int) -> None:
    try:
        await manager.finish_job_by_id_async(job_id, jobs.Status.FAILED, delete_job=False)
    except exceptions.ConnectorException:
        return
    log.warning("stalled_job_superseded", job_id=job_id)


async def release_expired_holds(pool: AsyncConnectionPool[Connection], clock: Clock) -> int:
    """Delete expired, unconfirmed holds (readers already ignore them); returns how many."""
    async with pool.connection() as conn, conn.transaction():
        return await sweep_expired_holds(conn, clock.now())


async def sweep_idempotency_keys(
    pool: AsyncConnectionPool[Connection], retention: timedelta, *, batch: int = 1000
) -> int:
    """Delete idempotency keys older than `retention`, a batch per transaction so no sweep
    holds many row locks for long; returns how many."""
    deleted = 0
    while True:
        async with pool.connection() as conn, conn.transaction():
            count = await sweep_keys(conn, retention, limit=batch)
        deleted += count
        if count < batch:
            break
    if deleted:
        log.info("idempotency_keys_swept", count=deleted)
    return deleted


async def recover_stuck(
    pool: AsyncConnectionPool[Connection],
    sink: EventSink,
    queue: ProcrastinateQueue,
    *,
    older_than: timedelta = timedelta(minutes=1),
) -> int:
    """Return bookings a dead worker left in flight to pending, each with a job, in one
    transaction; announce the state changes once committed. Returns how many."""
    async with pool.connection() as conn:
        async with conn.transaction():
            recovered = await recover_stuck_bookings(conn, older_than=older_than)
            for step in recovered:
                await queue.enqueue(conn, step.booking.id, RECOVERY_TRIGGER)
        for step in recovered:
            sink.emit(state_transition_event(step))
    if recovered:
        log.warning("stuck_bookings_recovered", count=len(recovered))
    return len(recovered)


async def requeue_orphans(
    pool: AsyncConnectionPool[Connection],
    queue: ProcrastinateQueue,
    *,
    older_than: timedelta = timedelta(seconds=30),
    limit: int = 500,
) -> int:
    """Give a job to every waiting booking that has none; returns how many got one."""
    params = {
        "closed_statuses": [status.value for status in TERMINAL_STATUSES],
        "older_than": older_than,
        "limit": limit,
    }
    written = 0
    async with pool.connection() as conn, conn.transaction():
        rows = await (await conn.execute(_sql("orphaned_bookings"), params)).fetchall()
        for row in rows:
            written += await queue.defer(conn, row["id"], SWEEP_TRIGGER)
    if written:
        log.warning("orphaned_bookings_requeued", count=written)
    return written
