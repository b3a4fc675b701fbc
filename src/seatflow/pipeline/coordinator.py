"""The V3 AssignmentCoordinator: one invocation per (booking, trigger).

lock → breaker → load → state machine → per-restaurant permit → plan (V3 engine) → hold →
re-check → confirm, all in one short transaction; the outcome says what the caller does next.
Telemetry brackets every invocation with exactly one start and one terminal event.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from seatflow.domain.combinations import largest_party
from seatflow.domain.states import TERMINAL_STATUSES, AssignmentState, BookingStatus
from seatflow.errors import BookingClosed, DatabaseUnavailable
from seatflow.pipeline.apply import (
    TRANSIENT_APPLY_ERRORS,
    apply_plan,
    attempt_record,
    path_to_in_progress,
    walk,
)
from seatflow.pipeline.breaker import CircuitBreaker
from seatflow.pipeline.clock import Clock
from seatflow.pipeline.flags import PipelineFlags
from seatflow.pipeline.outcome import Outcome
from seatflow.pipeline.retry import RetryPolicy
from seatflow.pipeline.snapshot import take_snapshot
from seatflow.pipeline.telemetry import CoordinatorTelemetry, EventType, state_transition_event
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Plan
from seatflow.store.bookings import (
    BookingRecord,
    Transition,
    get_booking,
    record_attempt,
)
from seatflow.store.database import Connection
from seatflow.store.events import EventSink
from seatflow.store.floors import FloorCache
from seatflow.store.locks import try_lock_booking, try_restaurant_permit

S = AssignmentState
INFRASTRUCTURE_ERRORS = (psycopg.OperationalError, DatabaseUnavailable, PoolTimeout, TimeoutError)
RATE_LIMIT_DELAY = timedelta(seconds=1)
LOCK_CONTENTION_DELAY = timedelta(seconds=1)
RETRIGGERS = frozenset({"modification", "requeue", "manual"})


@dataclass(slots=True, kw_only=True)
class CoordinatorConfig:
    flags: PipelineFlags
    hold_ttl: timedelta = timedelta(minutes=2)
    repack_budget_ms: int = 2000
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class AssignmentCoordinator:
    """Drives one booking through V3; decides, records and reports, but never sleeps."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Connection],
        sink: EventSink,
        clock: Clock,
        config: CoordinatorConfig,
        *,
        breaker: CircuitBreaker | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._pool = pool
        self._sink = sink
        self._clock = clock
        self._config = config
        self.breaker = breaker or CircuitBreaker()
        self._floors = FloorCache()
        self._rng = rng or random.Random()

    async def process(self, booking_id: UUID, trigger: str) -> Outcome:
        telemetry = CoordinatorTelemetry(
            self._sink, booking_id=booking_id, trigger=trigger, mode="v3"
        )
        telemetry.start()
        try:
            outcome = await self._guarded(booking_id, trigger, telemetry)
        except Exception as exc:  # every exit path ends with exactly one terminal event
            if isinstance(exc, INFRASTRUCTURE_ERRORS):
                self.breaker.record_infrastructure_failure(self._clock.now())
            else:
                self.breaker.release_probe()
            telemetry.finish_with_error(exc, breaker_state=self.breaker.state.value)
            delay = self._config.retry.delay_for(1, self._rng)
            return Outcome.error(type(exc).__name__, delay)
        telemetry.terminal(
            outcome.kind.value,
            reason=outcome.reason,
            strategy=outcome.strategy,
            table_count=len(outcome.tables) or None,
            delay_ms=_ms(outcome.delay),
        )
        return outcome

    async def _guarded(
        self, booking_id: UUID, trigger: str, telemetry: CoordinatorTelemetry
    ) -> Outcome:
        admission = self.breaker.admit(self._clock.now())
        if not admission.allowed:
            telemetry.event(
                EventType.CIRCUIT_OPEN,
                severity="warning",
                breaker_state=admission.state.value,
                retry_after_ms=_ms(admission.retry_after),
            )
            return Outcome.retry("circuit_open", admission.retry_after)
        transitions: list[Transition] = []
        async with self._pool.connection() as conn, conn.transaction():
            outcome = await self._locked(conn, booking_id, trigger, telemetry, transitions)
        self.breaker.record_success()
        for step in transitions:  # only what committed is announced
            self._sink.emit(state_transition_event(step))
        return outcome

    async def _locked(
        self,
        conn: Connection,
        booking_id: UUID,
        trigger: str,
        telemetry: CoordinatorTelemetry,
        transitions: list[Transition],
    ) -> Outcome:
        if not await try_lock_booking(conn, booking_id):
            telemetry.event(EventType.LOCK_CONTENTION, severity="warning")
            return Outcome.noop("lock_contention", LOCK_CONTENTION_DELAY)
        telemetry.event(EventType.LOCK_ACQUIRED)
        booking = await get_booking(conn, booking_id, for_update=True)
        if booking is None:
            return Outcome.noop("booking_not_found")
        telemetry.bind(restaurant_id=booking.restaurant_id)
        skip = self._skip_reason(booking, trigger)
        if skip:
            return Outcome.noop(skip)
        floor = await self._floors.get(conn, booking.restaurant_id)
        if not self._config.flags.v3_enabled_for(floor.plan.slug, booking.restaurant_id):
            return Outcome.noop("pipeline_disabled")
        slot = await try_restaurant_permit(
            conn, booking.restaurant_id, self._config.flags.max_parallel
        )
        if slot is None:
            return Outcome.retry("rate_limited", RATE_LIMIT_DELAY)
        telemetry.event(EventType.RATE_PERMIT_ACQUIRED, slot=slot)
        actor = f"v3:{trigger}"
        if booking.party_size > largest_party(floor.plan):
            transitions += await walk(
                conn, booking, (S.MANUAL_REVIEW,), actor=actor, reason="party_too_large"
            )
            return Outcome.manual_review("party_too_large")
        steps = await walk(
            conn, booking, path_to_in_progress(booking.assignment_state), actor=actor
        )
        transitions += steps
        booking = steps[-1].booking if steps else booking
        snapshot = await take_snapshot(conn, booking, self._clock.now(), floor)
        started = time.perf_counter()
        result = plan_v3(
            floor.plan,
            snapshot.request,
            snapshot.occupants,
            repack_budget_ms=self._config.repack_budget_ms,
        )
        plan_ms = (time.perf_counter() - started) * 1000
        if isinstance(result, Plan):
            try:
                applied = await apply_plan(
                    conn,
                    floor,
                    booking,
                    result,
                    now=self._clock.now(),
                    hold_ttl=self._config.hold_ttl,
                    actor=actor,
                )
            except BookingClosed:
                transitions += await walk(
                    conn, booking, (S.FAILED,), actor=actor, reason="cancelled"
                )
                return Outcome.noop("cancelled")
            except TRANSIENT_APPLY_ERRORS as exc:
                failure = type(exc).__name__
            else:
                transitions += applied.transitions
                attempt_no = await self._record(
                    conn, booking, trigger, "confirmed", result, plan_ms
                )
                telemetry.event(
                    EventType.ATTEMPT,
                    attempt=attempt_no,
                    outcome="confirmed",
                    strategy=result.strategy,
                    score=result.score,
                    table_count=len(result.tables),
                    repacked_moves=len(result.moves),
                    plan_ms=round(plan_ms, 3),
                )
                return Outcome.confirmed(result.strategy, applied.tables)
        else:
            failure = result.reason
        attempt_no = await self._record(conn, booking, trigger, "failed", None, plan_ms, failure)
        telemetry.event(
            EventType.ATTEMPT,
            severity="warning",
            attempt=attempt_no,
            outcome="failed",
            reason=failure,
            plan_ms=round(plan_ms, 3),
        )
        decision = self._config.retry.decide(attempt_no, failure, self._rng)
        if decision.retry:
            transitions += await walk(
                conn, booking, (S.ASSIGNMENT_PENDING,), actor=actor, reason=failure
            )
            return Outcome.retry(failure, decision.delay)
        transitions += await walk(
            conn, booking, (S.MANUAL_REVIEW,), actor=actor, reason=decision.reason
        )
        return Outcome.manual_review(decision.reason)

    @staticmethod
    def _skip_reason(booking: BookingRecord, trigger: str) -> str | None:
        if booking.status is BookingStatus.CANCELLED:
            return "cancelled"
        if booking.status in TERMINAL_STATUSES:
            return "terminal_state"
        settled = booking.assignment_state in (S.CONFIRMED, S.MANUAL_REVIEW)
        if settled and trigger not in RETRIGGERS:
            return "terminal_state"
        if booking.assignment_state in (S.ASSIGNMENT_IN_PROGRESS, S.ASSIGNED):
            return "in_flight"  # a dead worker's leftovers; the recovery sweep returns them
        return None

    async def _record(
        self,
        conn: Connection,
        booking: BookingRecord,
        trigger: str,
        outcome: str,
        plan: Plan | None,
        plan_ms: float,
        reason: str | None = None,
    ) -> int:
        """The invocation's one attempt row; returns the attempt's number."""
        return await record_attempt(
            conn,
            attempt_record(
                booking,
                pipeline="v3",
                trigger=trigger,
                outcome=outcome,
                reason=reason,
                plan=plan,
                duration_ms=plan_ms,
            ),
        )


def _ms(delay: timedelta | None) -> int | None:
    return None if delay is None else int(delay.total_seconds() * 1000)
