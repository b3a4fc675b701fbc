"""The job bodies: one booking's auto-assign, and the periodic upkeep.

Bodies get what they use from the worker through the job context (`WorkerDeps`, built once per
process by `run_worker`), never from module globals. An outcome that asks to run again — retry,
error, a no-op with a delay (lock contention) — becomes a new job scheduled after that delay: a
booking leaves the queue only confirmed, in review, or closed.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import structlog
from procrastinate import JobContext

from seatflow.bootstrap import Services
from seatflow.jobs import live_service, maintenance
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.metrics import Metrics
from seatflow.pipeline.outage import ReconnectBackoff
from seatflow.pipeline.outcome import Outcome, OutcomeKind
from seatflow.pipeline.router import Routed
from seatflow.store.database import is_unavailable

__all__ = [
    "DEPS_KEY",
    "RETRY_TRIGGER",
    "WorkerDeps",
    "auto_assign",
    "extend_overstays",
    "release_no_shows",
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
#: Tries at writing that next job when the database fails the first (see `_enqueue_rerun`).
RERUN_ENQUEUE_ATTEMPTS = 4
_RERUN_BACKOFF = ReconnectBackoff(base=0.2, cap=1.0)
_RNG = random.Random()

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerDeps:
    services: Services
    queue: ProcrastinateQueue
    #: What this worker decided, served on its --metrics-port.
    metrics: Metrics


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
    """Run the booking through the router; re-defer it when the outcome asks to run again.

    Every job ends with one `assignment_job_done` line (or `assignment_job_failed` when the
    router raised) and is counted in the worker's metrics."""
    deps = deps_of(context)
    started = time.perf_counter()
    try:
        routed = await deps.services.router.run(UUID(booking_id), trigger)
    except Exception as exc:
        log.error(
            "assignment_job_failed",
            booking_id=booking_id,
            trigger=trigger,
            error=type(exc).__name__,
            duration_ms=_ms_since(started),
        )
        raise
    seconds = time.perf_counter() - started
    deps.metrics.record(routed.route.value, routed.outcome, seconds)
    delay = rerun_delay(routed.outcome)
    if delay is not None:
        await _enqueue_rerun(deps, booking_id, delay)
    _log_done(booking_id, trigger, routed, seconds, delay)
    return routed.outcome.kind.value


async def _enqueue_rerun(deps: WorkerDeps, booking_id: str, delay: timedelta) -> None:
    """The booking's next job. Right after a database restart the pool may lend a connection
    the restart broke: such a failure is tried again (on another connection) a few times, so
    the booking keeps its job instead of waiting for the orphan sweep."""
    for attempt in range(1, RERUN_ENQUEUE_ATTEMPTS + 1):
        try:
            async with deps.services.pool.connection() as conn:
                await deps.queue.enqueue(conn, booking_id, RETRY_TRIGGER, delay)
            return
        except Exception as exc:
            if attempt == RERUN_ENQUEUE_ATTEMPTS or not is_unavailable(exc):
                raise
            await asyncio.sleep(_RERUN_BACKOFF.delay(attempt, _RNG))


def _log_done(
    booking_id: str, trigger: str, routed: Routed, seconds: float, delay: timedelta | None
) -> None:
    """The job's one line: what was decided, how long it took; never a guest's details."""
    outcome = routed.outcome
    log.info(
        "assignment_job_done",
        booking_id=booking_id,
        trigger=trigger,
        route=routed.route.value,
        outcome=outcome.kind.value,
        reason=outcome.reason,
        attempt=outcome.attempt,
        duration_ms=round(seconds * 1000, 1),
        rerun_in_s=None if delay is None else delay.total_seconds(),
    )


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    """Periodic: jobs of workers silent for `SEATFLOW_STALLED_AFTER_SECONDS` back to the queue."""
    after = deps_of(context).services.settings.stalled_after_seconds
    return await maintenance.retry_stalled_jobs(
        context.app.job_manager, seconds_since_heartbeat=after
    )


async def release_expired_holds(context: JobContext, timestamp: int) -> int:
    """Periodic: expired holds deleted, and idempotency keys past their retention."""
    services = deps_of(context).services
    released = await maintenance.release_expired_holds(services.pool, services.clock)
    retention = timedelta(hours=services.settings.idempotency_hours)
    return released + await maintenance.sweep_idempotency_keys(services.pool, retention)


async def recover_stuck(context: JobContext, timestamp: int) -> int:
    """Periodic: bookings left in flight back to pending, with a job."""
    deps = deps_of(context)
    return await maintenance.recover_stuck(deps.services.pool, deps.services.sink, deps.queue)


async def requeue_orphans(context: JobContext, timestamp: int) -> int:
    """Periodic: a job for every waiting booking without one."""
    deps = deps_of(context)
    return await maintenance.requeue_orphans(deps.services.pool, deps.queue)


async def release_no_shows(context: JobContext, timestamp: int) -> int:
    """Periodic: reservations past their no-show grace release their tables."""
    services = deps_of(context).services
    return await live_service.sweep_no_shows(services.pool, services.sink, services.clock)


async def give_whole_turns(context: JobContext, timestamp: int) -> int:
    """Periodic: late parties kept short of their turn get it when the bookings in their way
    can move now (before the overstay sweep would have to move them on a fuller floor)."""
    services = deps_of(context).services
    return await live_service.sweep_whole_turns(
        services.pool,
        services.sink,
        services.clock,
        repack_budget_ms=services.settings.repack_budget_ms,
        flags=services.router.flags,
    )


async def extend_overstays(context: JobContext, timestamp: int) -> int:
    """Periodic: seated parties past their turn keep their tables a step longer; the bookings
    that collides with are re-assigned (trigger `overstay`)."""
    deps = deps_of(context)
    services = deps.services
    return await live_service.sweep_overstays(
        services.pool, services.sink, services.clock, deps.queue
    )
