"""The job bodies: one booking's auto-assign, and the periodic upkeep.

Bodies get what they use from the worker through the job context (`WorkerDeps`, built once per
process by `run_worker`), never from module globals. An outcome that asks to run again — retry,
error, a no-op with a delay (lock contention) — becomes a new job scheduled after that delay: a
booking leaves the queue only confirmed, in review, or closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import structlog
from procrastinate import JobContext

from seatflow.bootstrap import Services
from seatflow.jobs import maintenance
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.outcome import Outcome, OutcomeKind

__all__ = [
    "DEPS_KEY",
    "RETRY_TRIGGER",
    "WorkerDeps",
    "auto_assign",
    "recover_stuck",
    "release_expired_holds",
    "requeue_orphans",
    "rerun_delay",
    "retry_stalled_jobs",
]

#: Key of `WorkerDeps` in the worker's additional context.
DEPS_KEY = "seatflow"
RETRY_TRIGGER = "retry"
#: When an outcome asks to run again without saying when.
DEFAULT_RERUN_DELAY = timedelta(seconds=5)

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerDeps:
    services: Services
    queue: ProcrastinateQueue


def deps_of(context: JobContext) -> WorkerDeps:
    deps = (context.additional_context or {}).get(DEPS_KEY)
    if not isinstance(deps, WorkerDeps):
        raise RuntimeError("seatflow tasks run only in a worker started by seatflow.jobs")
    return deps


def rerun_delay(outcome: Outcome) -> timedelta | None:
    """When the booking must run again: after retry and error always, after a no-op only when
    it names a delay (lock contention); never after confirmed or review."""
    if outcome.kind in (OutcomeKind.RETRY, OutcomeKind.ERROR):
        return outcome.delay or DEFAULT_RERUN_DELAY
    if outcome.kind is OutcomeKind.NOOP:
        return outcome.delay
    return None


async def auto_assign(context: JobContext, booking_id: str, trigger: str) -> str:
    """Run the booking through the router; re-defer it when the outcome asks to run again."""
    deps = deps_of(context)
    routed = await deps.services.router.run(UUID(booking_id), trigger)
    outcome = routed.outcome
    delay = rerun_delay(outcome)
    if delay is not None:
        async with deps.services.pool.connection() as conn:
            await deps.queue.enqueue(conn, booking_id, RETRY_TRIGGER, delay)
    log.debug(
        "auto_assign_ran",
        booking_id=booking_id,
        trigger=trigger,
        route=routed.route.value,
        outcome=outcome.kind.value,
        reason=outcome.reason,
        rerun_in_s=None if delay is None else delay.total_seconds(),
    )
    return outcome.kind.value


async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    """Periodic: jobs of dead workers back to the queue."""
    return await maintenance.retry_stalled_jobs(context.app.job_manager)


async def release_expired_holds(context: JobContext, timestamp: int) -> int:
    """Periodic: expired holds deleted."""
    services = deps_of(context).services
    return await maintenance.release_expired_holds(services.pool, services.clock)


async def recover_stuck(context: JobContext, timestamp: int) -> int:
    """Periodic: bookings left in flight back to pending, with a job."""
    deps = deps_of(context)
    return await maintenance.recover_stuck(deps.services.pool, deps.services.sink, deps.queue)


async def requeue_orphans(context: JobContext, timestamp: int) -> int:
    """Periodic: a job for every waiting booking without one."""
    deps = deps_of(context)
    return await maintenance.requeue_orphans(deps.services.pool, deps.queue)
