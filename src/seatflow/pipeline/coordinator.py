"""The V3 AssignmentCoordinator: one invocation per (booking, trigger).

breaker → lock → load → state machine → per-restaurant permit → plan (V3 engine) → hold → check →
confirm, all in one short transaction of two round trips (psycopg's pipeline mode): the claim on
the booking goes with the occupancy read; every write, each check made by the statements
themselves, goes with the COMMIT. A confirm that loses a race fails at that sync and leaves
nothing; a second short transaction then records the failure. A request that needs a re-pack
searches outside any transaction (`plan_step`) and claims the booking again to write. An
exception is recorded the same way against the booking's error budget (see `error_budget`). The
outcome says what the caller does next. Telemetry brackets every invocation with exactly one
start and one terminal event.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from seatflow.domain.combinations import largest_party
from seatflow.domain.states import AssignmentState
from seatflow.errors import BookingClosed, TablesTaken, VersionConflict
from seatflow.pipeline.apply import apply_plan, attempt_record, path_to_in_progress
from seatflow.pipeline.breaker import CircuitBreaker
from seatflow.pipeline.claim_gate import claim_refusal, unassignable
from seatflow.pipeline.clock import Clock
from seatflow.pipeline.error_budget import (
    ErrorBudget,
    SpentError,
    is_infrastructure,
    record_error,
)
from seatflow.pipeline.flags import PipelineFlags
from seatflow.pipeline.invocation import InvocationRun, LostRace
from seatflow.pipeline.outcome import Outcome
from seatflow.pipeline.plan_step import Locked, NeedsSearch, Searched, plan_locked, search
from seatflow.pipeline.retry import RetryPolicy
from seatflow.pipeline.snapshot import plan_request
from seatflow.pipeline.telemetry import CoordinatorTelemetry, EventType
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Occupant, Plan
from seatflow.store.attempts import record_attempt
from seatflow.store.bookings import (
    BookingRecord,
    Claim,
    advance,
    claim_booking,
    send_claim,
)
from seatflow.store.checks import store_errors
from seatflow.store.database import Connection, pipelined_transaction
from seatflow.store.events import EventSink
from seatflow.store.floors import FloorCache, StoredFloor
from seatflow.store.occupancy import send_booking_occupancy

S = AssignmentState
#: Failures of a confirm that surface at the sync; recorded by a second, short transaction.
LOST_RACES = (TablesTaken, VersionConflict, BookingClosed)


@dataclass(slots=True, kw_only=True)
class CoordinatorConfig:
    flags: PipelineFlags
    hold_ttl: timedelta = timedelta(minutes=2)
    repack_budget_ms: int = 2000
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    errors: ErrorBudget = field(default_factory=ErrorBudget)


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
            return await self._after_error(booking_id, trigger, exc, telemetry)
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
        try:
            outcome, run = await self._transact(booking_id, trigger, telemetry)
        except NeedsSearch as need:  # that transaction wrote nothing and has ended
            searched = await search(need.snapshot, self._config.repack_budget_ms, plan_v3)
            outcome, run = await self._transact(booking_id, trigger, telemetry, searched)
        self.breaker.record_success()
        run.committed(self._sink)  # only what committed is announced
        return outcome if run.attempt is None else replace(outcome, attempt=run.attempt)

    async def _transact(
        self,
        booking_id: UUID,
        trigger: str,
        telemetry: CoordinatorTelemetry,
        searched: Searched | None = None,
    ) -> tuple[Outcome, InvocationRun]:
        """One locked transaction on a pooled connection, and the short one recording a race
        its confirm lost at the sync."""
        async with self._pool.connection() as conn:
            run = InvocationRun(telemetry)
            try:
                async with store_errors(), pipelined_transaction(conn):
                    outcome = await self._locked(conn, booking_id, trigger, run, searched=searched)
            except LOST_RACES as exc:  # surfaced at the sync: nothing of that transaction stayed
                if run.planned is None:
                    raise  # not a confirm that lost a race: an error like any other
                lost = LostRace(type(exc).__name__, run.plan_ms, run.planned.version)
                run = InvocationRun(telemetry)
                async with store_errors(), pipelined_transaction(conn):
                    outcome = await self._locked(conn, booking_id, trigger, run, lost)
        return outcome, run

    async def _after_error(
        self, booking_id: UUID, trigger: str, exc: Exception, telemetry: CoordinatorTelemetry
    ) -> Outcome:
        """The invocation's transaction rolled back. An outage goes to the breaker and spends
        nothing; any other error spends the booking's error budget — and the one that spends it
        ends the invocation in `manual_review` instead of `error`."""
        error = type(exc).__name__
        spent: SpentError | None = None
        if is_infrastructure(exc):
            self.breaker.record_infrastructure_failure(self._clock.now())
        else:
            self.breaker.release_probe()
            spent = await self._record_error(booking_id, trigger, error, telemetry)
        if spent is not None and spent.review_reason is not None:
            telemetry.terminal(
                "manual_review", reason=spent.review_reason, errors=spent.errors, error_type=error
            )
            return replace(Outcome.manual_review(spent.review_reason), attempt=spent.attempt)
        errors = spent.errors if spent else None
        telemetry.finish_with_error(exc, breaker_state=self.breaker.state.value, errors=errors)
        delay = self._config.retry.delay_for(errors or 1, self._rng)
        return replace(Outcome.error(error, delay), attempt=spent.attempt if spent else None)

    async def _record_error(
        self, booking_id: UUID, trigger: str, error: str, telemetry: CoordinatorTelemetry
    ) -> SpentError | None:
        """Spend the error in a second short transaction, like a lost race's record; announce
        what committed. None when nothing was recorded."""

        async def claim_again(conn: Connection) -> Claim | None:
            claim = await claim_booking(conn, booking_id, pipeline="v3")
            return None if unassignable(claim, trigger, self._config.flags) else claim

        spent = await record_error(
            self._pool,
            booking_id,
            claim_again,
            pipeline="v3",
            trigger=trigger,
            error=error,
            budget=self._config.errors,
        )
        if spent is not None:
            run = InvocationRun(telemetry)
            run.transitions += spent.transitions
            run.later(
                EventType.ATTEMPT, "error", attempt=spent.attempt, outcome="error", reason=error
            )
            run.committed(self._sink)
        return spent

    async def _locked(
        self,
        conn: Connection,
        booking_id: UUID,
        trigger: str,
        run: InvocationRun,
        lost_race: LostRace | None = None,
        *,
        searched: Searched | None = None,
    ) -> Outcome:
        """One transaction in two round trips: the claim with the occupancy, then every write.

        With `lost_race` (the first transaction's apply failed at its sync) the same claim is made
        again and that failure is recorded instead of planning — unless the booking changed in
        between (another run settled it), which leaves nothing to record. With `searched` (a
        re-pack made outside, after a first claim) its lock and permit events are not repeated.
        """
        # Recording a lost race needs no permit: it writes no tables, and must not be rate-limited
        # out of counting towards the retry budget.
        permits = 0 if lost_race is not None else self._config.flags.max_parallel
        pending = await send_claim(conn, booking_id, pipeline="v3", permits=permits)
        occupancy = await send_booking_occupancy(conn, booking_id, now=self._clock.now())
        claim = await pending.result()  # the first round trip: claim and occupancy together
        first = lost_race is None and searched is None
        refusal = claim_refusal(
            claim, trigger, self._config.flags, run.telemetry, lost_race, first=first
        )
        if refusal is not None:
            return refusal
        booking = claim.booking
        assert booking is not None  # claim_refusal said so
        floor = await self._floors.get(conn, booking.restaurant_id, claim.floor_version)
        if booking.party_size > largest_party(floor.plan):
            run.transitions += await advance(
                conn, booking, (S.MANUAL_REVIEW,), actor=f"v3:{trigger}", reason="party_too_large"
            )
            return Outcome.manual_review("party_too_large")
        if lost_race is not None:
            return await self._failed(
                conn, claim, trigger, lost_race.reason, lost_race.plan_ms, run
            )
        occupants = await occupancy.occupants()
        return await self._plan(conn, floor, claim, trigger, occupants, run, searched)

    async def _plan(
        self,
        conn: Connection,
        floor: StoredFloor,
        claim: Claim,
        trigger: str,
        occupants: list[Occupant],
        run: InvocationRun,
        searched: Searched | None,
    ) -> Outcome:
        """Plan on the claimed occupancy (or take the search made outside), then confirm the
        plan or record the failure."""
        booking = claim.booking
        assert booking is not None
        started = time.perf_counter()
        result = await plan_locked(
            floor.plan,
            Locked(booking.version, claim.floor_version, occupants),
            plan_request(booking),
            searched,
            self._config.repack_budget_ms,
            plan_v3,
        )
        plan_ms = (time.perf_counter() - started) * 1000
        if searched is not None and result is searched.result:
            plan_ms = searched.plan_ms
        if not isinstance(result, Plan):
            return await self._failed(conn, claim, trigger, result.reason, plan_ms, run)
        run.plan_ms, run.planned = plan_ms, booking
        path = path_to_in_progress(booking.assignment_state)
        return await self._confirm(
            conn, floor, booking, trigger, path, claim.attempts + 1, result, run
        )

    async def _failed(
        self,
        conn: Connection,
        claim: Claim,
        trigger: str,
        failure: str,
        plan_ms: float,
        run: InvocationRun,
    ) -> Outcome:
        """Record a failed attempt, then retry later or send the booking to review."""
        booking = claim.booking
        assert booking is not None
        actor = f"v3:{trigger}"
        attempt_no = claim.attempts + 1
        path = path_to_in_progress(booking.assignment_state)
        await self._record(conn, booking, trigger, attempt_no, "failed", None, plan_ms, failure)
        run.attempt = attempt_no
        run.later(
            EventType.ATTEMPT,
            severity="warning",
            attempt=attempt_no,
            outcome="failed",
            reason=failure,
            plan_ms=round(plan_ms, 3),
        )
        # Errors spend their own budget (error_budget), not this one.
        decision = self._config.retry.decide(attempt_no - claim.errors, failure, self._rng)
        if decision.retry:
            run.transitions += await advance(
                conn, booking, (*path, S.ASSIGNMENT_PENDING), actor=actor, reason=failure
            )
            return Outcome.retry(failure, decision.delay)
        run.transitions += await advance(
            conn, booking, (*path, S.MANUAL_REVIEW), actor=actor, reason=decision.reason
        )
        return Outcome.manual_review(decision.reason)

    async def _confirm(
        self,
        conn: Connection,
        floor: StoredFloor,
        booking: BookingRecord,
        trigger: str,
        path: tuple[AssignmentState, ...],
        attempt_no: int,
        plan: Plan,
        run: InvocationRun,
    ) -> Outcome:
        """Send the whole confirm — tables, states, attempt — to be checked at the sync."""
        actor = f"v3:{trigger}"
        applied = await apply_plan(
            conn,
            floor,
            booking,
            plan,
            now=self._clock.now(),
            hold_ttl=self._config.hold_ttl,
            actor=actor,
            path=path,
            savepoint=False,  # a lost race fails the whole transaction; the retry records it
        )
        run.transitions += applied.transitions
        await self._record(conn, booking, trigger, attempt_no, "confirmed", plan, run.plan_ms)
        run.attempt = attempt_no
        run.later(
            EventType.ATTEMPT,
            attempt=attempt_no,
            outcome="confirmed",
            strategy=plan.strategy,
            score=plan.score,
            table_count=len(plan.tables),
            repacked_moves=len(plan.moves),
            plan_ms=round(run.plan_ms, 3),
        )
        return Outcome.confirmed(plan.strategy, applied.tables)

    async def _record(
        self,
        conn: Connection,
        booking: BookingRecord,
        trigger: str,
        attempt_no: int,
        outcome: str,
        plan: Plan | None,
        plan_ms: float,
        reason: str | None = None,
    ) -> None:
        """The invocation's one attempt row, numbered by the caller (who holds the lock)."""
        record = attempt_record(
            booking,
            pipeline="v3",
            trigger=trigger,
            outcome=outcome,
            reason=reason,
            plan=plan,
            duration_ms=plan_ms,
        )
        await record_attempt(conn, record, attempt_no)


def _ms(delay: timedelta | None) -> int | None:
    return None if delay is None else int(delay.total_seconds() * 1000)
