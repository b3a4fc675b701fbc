"""The error budget: how many exceptions one booking may cost before a person looks at it.

An exception inside an assignment rolls its transaction back, so nothing of it stays — not even
the attempt. Without a count a booking that always raises (a bug its data triggers) would be
re-run forever. Each pipeline therefore records the error as an attempt row of outcome `error`
in a second, short transaction on the booking's lock; the error that spends the budget also
moves the booking to `manual_review` with the reason `error_budget_exhausted: <exception type>`.

Outages are not the booking's fault: an infrastructure error (the database unreachable, a pool
or statement timeout) spends nothing. V3's circuit breaker holds assignments back (the legacy
loop re-raises, and the upkeep sweep re-queues), and the booking runs again once the database is
back — it must not land in review because the database restarted.
Errors spend only this budget, not the retry budget of planning failures, and vice versa.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

import psycopg
import structlog
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from seatflow.domain.states import AssignmentState
from seatflow.errors import DatabaseUnavailable
from seatflow.pipeline.apply import attempt_record, path_to_in_progress
from seatflow.store.attempts import record_attempt
from seatflow.store.bookings import BookingRecord, Claim, Transition, advance
from seatflow.store.database import Connection

__all__ = [
    "ERROR_OUTCOME",
    "INFRASTRUCTURE_ERRORS",
    "ClaimAgain",
    "ErrorBudget",
    "SpentError",
    "is_infrastructure",
    "record_error",
    "spend_error",
]

log = structlog.get_logger(__name__)

#: Outages: the breaker's business, retried until the database answers; they spend no budget.
INFRASTRUCTURE_ERRORS = (psycopg.OperationalError, DatabaseUnavailable, PoolTimeout, TimeoutError)
#: The attempt outcome an error is recorded with (and counted by, in `attempts_so_far`).
ERROR_OUTCOME = "error"


def is_infrastructure(exc: BaseException) -> bool:
    return isinstance(exc, INFRASTRUCTURE_ERRORS)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorBudget:
    """After `max_errors` error outcomes a booking goes to review (`SEATFLOW_MAX_ERRORS`)."""

    max_errors: int = 5

    def review_reason(self, errors: int, error: str) -> str | None:
        """`errors` counts error outcomes so far, this one included; the review reason once
        they reach the budget, else None (run the booking again)."""
        if errors >= self.max_errors:
            return f"error_budget_exhausted: {error}"
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class SpentError:
    """What recording one error did: its attempt number, the booking's errors so far, and —
    when that spent the budget — the review reason and the walk there."""

    attempt: int
    errors: int
    review_reason: str | None = None
    transitions: tuple[Transition, ...] = ()


#: Claims the booking again in the given transaction; None when it is no longer the erring run's
#: to assign (another worker holds it, it was settled or closed meanwhile).
ClaimAgain = Callable[[Connection], Awaitable[Claim | None]]


async def record_error(
    pool: AsyncConnectionPool[Connection],
    booking_id: UUID,
    claim_again: ClaimAgain,
    *,
    pipeline: str,
    trigger: str,
    error: str,
    budget: ErrorBudget,
) -> SpentError | None:
    """The second short transaction a pipeline makes after an error rolled its own back (no
    permit: it writes no tables). None when nothing was recorded; a record that fails is logged,
    never raised — the caller goes on to report the original error."""
    try:
        async with pool.connection() as conn, conn.transaction():
            claim = await claim_again(conn)
            if claim is None:
                return None
            return await spend_error(
                conn,
                claim,
                pipeline=pipeline,
                trigger=trigger,
                error=error,
                budget=budget,
                actor=f"{pipeline}:{trigger}",
            )
    except Exception as exc:
        log.warning(
            "error_not_recorded",
            booking_id=str(booking_id),
            pipeline=pipeline,
            error=error,
            record_error=type(exc).__name__,
        )
        return None


async def spend_error(
    conn: Connection,
    claim: Claim,
    *,
    pipeline: str,
    trigger: str,
    error: str,
    budget: ErrorBudget,
    actor: str,
) -> SpentError:
    """Record `error` as the claimed booking's next attempt, in the caller's transaction (which
    holds the claim); when it spends the budget, walk the booking to `manual_review` the way a
    failed attempt would have gone."""
    booking = claim.booking
    assert booking is not None, "a claim without a booking has nothing to record"
    attempt_no, errors = claim.attempts + 1, claim.errors + 1
    record = attempt_record(
        booking, pipeline=pipeline, trigger=trigger, outcome=ERROR_OUTCOME, reason=error
    )
    await record_attempt(conn, record, attempt_no)
    reason = budget.review_reason(errors, error)
    if reason is None:
        return SpentError(attempt=attempt_no, errors=errors)
    steps = await advance(conn, booking, _to_review(booking), actor=actor, reason=reason)
    return SpentError(attempt=attempt_no, errors=errors, review_reason=reason, transitions=steps)


def _to_review(booking: BookingRecord) -> tuple[AssignmentState, ...]:
    return (*path_to_in_progress(booking.assignment_state), AssignmentState.MANUAL_REVIEW)
