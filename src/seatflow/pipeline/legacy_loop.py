"""The legacy planner loop — the path being retired, kept honest as the control.

One run per job execution: a single attempt with the legacy planner; a transient failure asks to
run again after 5 s, 15 s, 45 s, never within 10 minutes of the start (the cutoff); a hard failure
(nothing can fit) goes to review at once. An exception is re-raised (the job fails and the upkeep
sweep re-queues the booking), but first counted against the booking's error budget: the error
that spends it sends the booking to review instead. Events of source `auto_assign`: started,
attempt, succeeded | failed | cutoff_skipped, and exactly one summary per run.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from seatflow.domain.states import TERMINAL_STATUSES, AssignmentState
from seatflow.errors import BookingClosed
from seatflow.pipeline.apply import (
    TRANSIENT_APPLY_ERRORS,
    apply_plan,
    attempt_record,
    path_to_in_progress,
)
from seatflow.pipeline.clock import Clock
from seatflow.pipeline.error_budget import ErrorBudget, SpentError, is_infrastructure, record_error
from seatflow.pipeline.outcome import Outcome, OutcomeKind
from seatflow.pipeline.snapshot import Snapshot, take_snapshot
from seatflow.pipeline.telemetry import state_transition_event
from seatflow.planning.legacy import is_hard_failure, legacy_next_attempt, plan_legacy
from seatflow.planning.model import Plan, PlanFailure
from seatflow.store.attempts import record_attempt
from seatflow.store.bookings import (
    BookingRecord,
    Claim,
    Transition,
    advance,
    claim_booking,
)
from seatflow.store.database import Connection
from seatflow.store.events import Event, EventSink
from seatflow.store.floors import FloorCache

SOURCE = "auto_assign"
S = AssignmentState

#: Called with the snapshot legacy planned on and its result: how shadow mode compares V3.
PlannedHook = Callable[[Snapshot, Plan | PlanFailure], Awaitable[None]]


@dataclass(slots=True, kw_only=True)
class LegacyConfig:
    hold_ttl: timedelta = timedelta(minutes=2)
    spare_seat_cap: int = 4
    errors: ErrorBudget = field(default_factory=ErrorBudget)


class LegacyAutoAssigner:
    def __init__(
        self,
        pool: AsyncConnectionPool[Connection],
        sink: EventSink,
        clock: Clock,
        config: LegacyConfig | None = None,
    ) -> None:
        self._pool = pool
        self._sink = sink
        self._clock = clock
        self._config = config or LegacyConfig()
        self._floors = FloorCache()

    async def run(
        self, booking_id: UUID, trigger: str, on_planned: PlannedHook | None = None
    ) -> Outcome:
        started = time.perf_counter()
        self._emit("auto_assign.started", booking_id, None, trigger=trigger)
        outcome = Outcome.noop("not_started")
        restaurant: UUID | None = None
        try:
            transitions: list[Transition] = []
            async with self._pool.connection() as conn, conn.transaction():
                claim = await self._lock_and_load(conn, booking_id)
                if isinstance(claim, Outcome):
                    outcome = claim
                    return outcome
                assert claim.booking is not None  # _lock_and_load returns no claim without one
                restaurant = claim.booking.restaurant_id
                outcome = await self._attempt(conn, claim, trigger, on_planned, transitions)
            for step in transitions:
                self._sink.emit(state_transition_event(step))
            return outcome
        except Exception as exc:
            outcome = await self._after_error(booking_id, trigger, exc, restaurant)
            if outcome.kind is not OutcomeKind.MANUAL_REVIEW:
                raise
            return outcome
        finally:
            self._emit(
                "auto_assign.summary",
                booking_id,
                restaurant,
                trigger=trigger,
                outcome=outcome.kind.value,
                reason=outcome.reason,
                tables=list(outcome.tables),
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
            )

    async def _after_error(
        self, booking_id: UUID, trigger: str, exc: Exception, restaurant: UUID | None
    ) -> Outcome:
        """The run's transaction rolled back. Anything but an outage spends the booking's error
        budget; the error that spends it is the run's outcome — manual review — not a raise."""
        error = type(exc).__name__
        spent = (
            None if is_infrastructure(exc) else await self._record_error(booking_id, trigger, error)
        )
        errors = spent.errors if spent else None
        attempt = spent.attempt if spent else None
        self._emit(
            "auto_assign.failed",
            booking_id,
            restaurant,
            "error",
            attempt=attempt,
            reason=error,
            errors=errors,
        )
        if spent is not None and spent.review_reason is not None:
            return replace(Outcome.manual_review(spent.review_reason), attempt=attempt)
        return replace(Outcome.error(error, timedelta(seconds=5)), attempt=attempt)

    async def _record_error(self, booking_id: UUID, trigger: str, error: str) -> SpentError | None:
        """Spend the error in a second short transaction; announce what committed."""

        async def claim_again(conn: Connection) -> Claim | None:
            claim = await self._lock_and_load(conn, booking_id)
            return None if isinstance(claim, Outcome) else claim

        spent = await record_error(
            self._pool,
            booking_id,
            claim_again,
            pipeline="legacy",
            trigger=trigger,
            error=error,
            budget=self._config.errors,
        )
        for step in spent.transitions if spent else ():
            self._sink.emit(state_transition_event(step))
        return spent

    async def _lock_and_load(self, conn: Connection, booking_id: UUID) -> Claim | Outcome:
        claim = await claim_booking(conn, booking_id, pipeline="legacy")
        if not claim.locked:
            return Outcome.noop("lock_contention", timedelta(seconds=1))
        booking = claim.booking
        if booking is None:
            return Outcome.noop("booking_not_found")
        if booking.status in TERMINAL_STATUSES:
            return Outcome.noop(str(booking.status))
        if booking.assignment_state in (S.CONFIRMED, S.MANUAL_REVIEW, S.ASSIGNED):
            return Outcome.noop("terminal_state")
        return claim

    async def _attempt(
        self,
        conn: Connection,
        claim: Claim,
        trigger: str,
        on_planned: PlannedHook | None,
        transitions: list[Transition],
    ) -> Outcome:
        actor = f"legacy:{trigger}"
        booking = claim.booking
        assert booking is not None
        steps = await advance(
            conn, booking, path_to_in_progress(booking.assignment_state), actor=actor
        )
        transitions += steps
        booking = steps[-1].booking if steps else booking
        now = self._clock.now()
        floor = await self._floors.get(conn, booking.restaurant_id, claim.floor_version)
        snapshot = await take_snapshot(conn, booking, now, floor)
        result = await asyncio.to_thread(  # never on the event loop
            plan_legacy,
            snapshot.floor.plan,
            snapshot.request,
            snapshot.occupants,
            spare_seat_cap=self._config.spare_seat_cap,
        )
        if on_planned is not None:
            await on_planned(snapshot, result)
        if isinstance(result, Plan):
            applied = await self._apply(conn, snapshot, booking, result, trigger, now, transitions)
            if isinstance(applied, Outcome):
                return applied
            reason = applied
        else:
            reason = result.reason
        attempt_no = await self._record(conn, booking, trigger, "failed", reason, None)
        self._emit_attempt(booking, attempt_no, "failed", reason, None)
        outcome = await self._after_failure(
            conn, booking, attempt_no, reason, actor, transitions, errors=claim.errors
        )
        return replace(outcome, attempt=attempt_no)

    async def _apply(
        self,
        conn: Connection,
        snapshot: Snapshot,
        booking: BookingRecord,
        plan: Plan,
        trigger: str,
        now: datetime,
        transitions: list[Transition],
    ) -> Outcome | str:
        """Confirm the plan: its outcome, or why it did not stick (a conflict or a timeout, to
        be recorded as a failed attempt like a plan that found nothing)."""
        actor = f"legacy:{trigger}"
        try:
            applied = await apply_plan(
                conn,
                snapshot.floor,
                booking,
                plan,
                now=now,
                hold_ttl=self._config.hold_ttl,
                actor=actor,
            )
        except BookingClosed:  # cancelled under us: its own terminal state, not a failure
            transitions += await advance(
                conn, booking, (S.CANCELLED,), actor=actor, reason="cancelled"
            )
            return Outcome.noop("cancelled")
        except TRANSIENT_APPLY_ERRORS as exc:
            return "conflict" if not isinstance(exc, TimeoutError) else "timeout"
        transitions += applied.transitions
        attempt_no = await self._record(conn, booking, trigger, "succeeded", None, plan)
        self._emit_attempt(booking, attempt_no, "succeeded", None, plan)
        self._emit(
            "auto_assign.succeeded",
            booking.id,
            booking.restaurant_id,
            tables=list(applied.tables),
            strategy=plan.strategy,
            attempt=attempt_no,
        )
        return replace(Outcome.confirmed(plan.strategy, applied.tables), attempt=attempt_no)

    async def _after_failure(
        self,
        conn: Connection,
        booking: BookingRecord,
        attempt_no: int,
        reason: str,
        actor: str,
        transitions: list[Transition],
        *,
        errors: int,
    ) -> Outcome:
        now = self._clock.now()
        if not is_hard_failure(reason):
            # The schedule counts failed attempts: errors spend their own budget (error_budget).
            next_at = legacy_next_attempt(attempt_no - errors, now, booking.start_at)
            if next_at is not None:
                transitions += await advance(
                    conn, booking, (S.ASSIGNMENT_PENDING,), actor=actor, reason=reason
                )
                return Outcome.retry(reason, next_at - now)
            if booking.start_at - now <= timedelta(minutes=10):
                self._emit(
                    "auto_assign.cutoff_skipped",
                    booking.id,
                    booking.restaurant_id,
                    "warning",
                    attempt=attempt_no,
                    reason=reason,
                )
                reason = "cutoff"
        transitions += await advance(conn, booking, (S.MANUAL_REVIEW,), actor=actor, reason=reason)
        self._emit(
            "auto_assign.failed",
            booking.id,
            booking.restaurant_id,
            "warning",
            attempt=attempt_no,
            reason=reason,
            hard=is_hard_failure(reason),
        )
        return Outcome.manual_review(reason)

    async def _record(
        self,
        conn: Connection,
        booking: BookingRecord,
        trigger: str,
        outcome: str,
        reason: str | None,
        plan: Plan | None,
    ) -> int:
        """The run's one attempt row; returns the attempt's number."""
        attempt = attempt_record(
            booking, pipeline="legacy", trigger=trigger, outcome=outcome, reason=reason, plan=plan
        )
        return await record_attempt(conn, attempt)

    def _emit_attempt(
        self,
        booking: BookingRecord,
        attempt_no: int,
        outcome: str,
        reason: str | None,
        plan: Plan | None,
    ) -> None:
        self._emit(
            "auto_assign.attempt",
            booking.id,
            booking.restaurant_id,
            "info" if plan else "warning",
            attempt=attempt_no,
            outcome=outcome,
            reason=reason,
            tables=list(plan.tables) if plan else [],
        )

    def _emit(
        self,
        event_type: str,
        booking_id: UUID | None,
        restaurant_id: UUID | None,
        severity: str = "info",
        **context: Any,
    ) -> None:
        with contextlib.suppress(Exception):  # telemetry never breaks an assignment
            self._sink.emit(
                Event(
                    source=SOURCE,
                    event_type=event_type,
                    severity=severity,
                    booking_id=booking_id,
                    restaurant_id=restaurant_id,
                    context=context,
                )
            )
