"""`?wait_ms=`: run the assignment right after the commit and wait for it at most that long.

The job is already enqueued (same transaction as the write), so this is only a fast path. The
run is never cut short: when the deadline passes, the caller gets the booking as it stands and
the run finishes in the background — cancelling it mid-transaction would waste the work and
leave its telemetry without the terminal event every invocation owes. A decision that asks to
run again later is handed to the queue with its delay, exactly as a worker would.
"""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

import structlog

from seatflow.api.schemas import AssignmentOut
from seatflow.api.state import ApiState

__all__ = ["settle"]

log = structlog.get_logger(__name__)


async def settle(
    state: ApiState, booking_id: UUID, trigger: str, wait_ms: int | None
) -> AssignmentOut | None:
    """The decision when it came within `wait_ms`, else None (it will come, or the queue's)."""
    if not wait_ms:
        return None
    run = state.spawn(_decide(state, booking_id, trigger))
    try:
        return await asyncio.wait_for(asyncio.shield(run), wait_ms / 1000)
    except TimeoutError:
        log.info("inline_assignment_deadline", booking_id=str(booking_id), wait_ms=wait_ms)
        return None


async def _decide(state: ApiState, booking_id: UUID, trigger: str) -> AssignmentOut | None:
    started = time.perf_counter()
    try:
        routed = await state.services.router.run(booking_id, trigger)
        outcome = routed.outcome
        state.metrics.record(routed.route.value, outcome, time.perf_counter() - started)
        if outcome.delay is not None:
            async with state.pool.connection() as conn, conn.transaction():
                await state.queue.enqueue(conn, booking_id, trigger, delay=outcome.delay)
    except Exception as exc:  # the booking is committed and its job enqueued: that one retries
        log.warning(
            "inline_assignment_failed", booking_id=str(booking_id), error=type(exc).__name__
        )
        return None
    return AssignmentOut(
        pipeline=routed.route.value, outcome=outcome.kind.value, reason=outcome.reason
    )
