"""The V3 coordinator on a real database: outcomes, state machine, and one start + one terminal
event for every invocation whatever the exit path."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.pipeline import coordinator as coordinator_module
from seatflow.pipeline.breaker import BreakerState
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.coordinator import AssignmentCoordinator, CoordinatorConfig
from seatflow.pipeline.event_types import EventType
from seatflow.pipeline.flags import PipelineFlags
from seatflow.pipeline.outcome import OutcomeKind
from seatflow.store.attempts import AttemptRecord, record_attempt
from seatflow.store.bookings import (
    advance,
    claim_booking,
    require_booking,
    set_status,
    state_history,
    table_keys,
)
from seatflow.store.database import Connection, open_pool
from seatflow.store.events import MemoryEventSink
from seatflow.store.floors import StoredFloor
from seatflow.store.locks import try_lock_booking, try_restaurant_permit
from seatflow.store.round_trips import RoundTripTrace
from support.events import assert_one_start_one_terminal

BookingFactory = Callable[..., Awaitable[UUID]]


async def test_confirms_and_walks_the_state_machine(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
) -> None:
    """A booking that fits is confirmed through every state, with attempt and history rows."""
    booking_id = await make_booking(party_size=2)
    outcome = await coordinator.process(booking_id, "creation")
    assert outcome.kind is OutcomeKind.CONFIRMED and outcome.tables == ("A",)
    async with pool.connection() as conn:
        booking = await require_booking(conn, booking_id)
        history = await state_history(conn, booking_id)
        assert await table_keys(conn, booking_id) == ["A"]
        outbox = await (
            await conn.execute(
                "SELECT payload FROM outbox WHERE aggregate_id = %s ORDER BY id", (booking_id,)
            )
        ).fetchall()
    assert booking.status is BookingStatus.CONFIRMED and booking.strategy
    assert [h["to_state"] for h in history] == [
        "capacity_verified",
        "assignment_pending",
        "assignment_in_progress",
        "assigned",
        "confirmed",
    ]
    assert [row["payload"]["to"] for row in outbox] == [h["to_state"] for h in history]
    assert outbox[-1]["payload"]["version"] == booking.version
    assert assert_one_start_one_terminal(sink) == [EventType.CONFIRMED]
    kinds = [e.event_type for e in sink.events]
    assert EventType.LOCK_ACQUIRED in kinds and EventType.RATE_PERMIT_ACQUIRED in kinds
    attempt = sink.of_type(EventType.ATTEMPT)[0]
    assert {"strategy", "score", "table_count", "repacked_moves"} <= set(attempt.context)
    transitions = [e for e in sink.events if e.event_type == EventType.STATE_TRANSITION]
    assert len(transitions) == 5


async def test_not_found_is_a_noop(
    coordinator: AssignmentCoordinator, sink: MemoryEventSink
) -> None:
    """An unknown booking id ends in noop booking_not_found."""
    outcome = await coordinator.process(uuid4(), "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.NOOP, "booking_not_found")
    assert assert_one_start_one_terminal(sink) == [EventType.NOOP]


async def test_cancelled_is_a_noop(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
) -> None:
    """A cancelled booking is never confirmed."""
    booking_id = await make_booking()
    async with pool.connection() as conn, conn.transaction():
        await set_status(conn, booking_id, BookingStatus.CANCELLED)
    outcome = await coordinator.process(booking_id, "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.NOOP, "cancelled")
    assert_one_start_one_terminal(sink)


async def test_confirmed_booking_is_terminal_for_a_stale_job(
    coordinator: AssignmentCoordinator, make_booking: BookingFactory, sink: MemoryEventSink
) -> None:
    """A second creation job for a confirmed booking does nothing."""
    booking_id = await make_booking()
    await coordinator.process(booking_id, "creation")
    again = await coordinator.process(booking_id, "creation")
    assert (again.kind, again.reason) == (OutcomeKind.NOOP, "terminal_state")
    assert_one_start_one_terminal(sink, invocations=2)


async def test_pipeline_disabled_is_a_noop(
    pool: AsyncConnectionPool[Connection],
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    sink: MemoryEventSink,
) -> None:
    """With V3 off (the kill switch) the coordinator touches nothing."""
    booking_id = await make_booking()
    coordinator._config.flags = PipelineFlags(v3=False)
    outcome = await coordinator.process(booking_id, "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.NOOP, "pipeline_disabled")
    async with pool.connection() as conn:
        assert (await require_booking(conn, booking_id)).assignment_state == "created"
    assert_one_start_one_terminal(sink)


async def test_lock_contention_is_a_noop_with_a_delay(
    pool: AsyncConnectionPool[Connection],
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    sink: MemoryEventSink,
) -> None:
    """While another transaction holds the booking's lock the coordinator backs off."""
    booking_id = await make_booking()
    async with pool.connection() as other, other.transaction():
        assert await try_lock_booking(other, booking_id)
        outcome = await coordinator.process(booking_id, "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.NOOP, "lock_contention")
    assert outcome.delay is not None
    assert sink.of_type(EventType.LOCK_CONTENTION)
    assert_one_start_one_terminal(sink)


async def test_rate_limited_when_every_permit_is_taken(
    pool: AsyncConnectionPool[Connection],
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    sink: MemoryEventSink,
) -> None:
    """With MAX_PARALLEL permits held elsewhere the booking is retried, not dropped."""
    booking_id = await make_booking()
    async with pool.connection() as conn:
        restaurant_id = (await require_booking(conn, booking_id)).restaurant_id
    async with pool.connection() as a, pool.connection() as b, a.transaction(), b.transaction():
        assert await try_restaurant_permit(a, restaurant_id, 2) is not None
        assert await try_restaurant_permit(b, restaurant_id, 2) is not None
        outcome = await coordinator.process(booking_id, "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.RETRY, "rate_limited")
    assert_one_start_one_terminal(sink)


async def test_open_circuit_retries_without_touching_the_database(
    coordinator: AssignmentCoordinator, make_booking: BookingFactory, sink: MemoryEventSink
) -> None:
    """An open breaker answers retry at once and reports its state."""
    booking_id = await make_booking()
    coordinator.breaker.state = BreakerState.OPEN
    coordinator.breaker.opened_at = coordinator._clock.now()
    outcome = await coordinator.process(booking_id, "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.RETRY, "circuit_open")
    assert sink.of_type(EventType.CIRCUIT_OPEN)
    assert_one_start_one_terminal(sink)


async def test_no_capacity_retries_then_goes_to_review(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    sink: MemoryEventSink,
    pool: AsyncConnectionPool[Connection],
) -> None:
    """A party nothing can seat at that time is retried with backoff, then sent to review."""
    first = await make_booking(party_size=8)
    assert (await coordinator.process(first, "creation")).kind is OutcomeKind.CONFIRMED
    blocked = await make_booking(party_size=8)
    outcomes = [await coordinator.process(blocked, "retry") for _ in range(3)]
    assert [o.kind for o in outcomes] == [
        OutcomeKind.RETRY,
        OutcomeKind.RETRY,
        OutcomeKind.MANUAL_REVIEW,
    ]
    assert outcomes[0].delay is not None and outcomes[1].delay is not None
    assert outcomes[1].delay > outcomes[0].delay
    async with pool.connection() as conn:
        booking = await require_booking(conn, blocked)
    assert booking.assignment_state == "manual_review" and booking.review_reason
    assert_one_start_one_terminal(sink, invocations=4)


async def test_party_too_large_goes_straight_to_review(
    coordinator: AssignmentCoordinator, make_booking: BookingFactory, sink: MemoryEventSink
) -> None:
    """A party larger than any valid combination is a review case, not a retry loop."""
    booking_id = await make_booking(party_size=20)
    outcome = await coordinator.process(booking_id, "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.MANUAL_REVIEW, "party_too_large")
    assert_one_start_one_terminal(sink)


async def test_an_exception_ends_in_one_error_event(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    sink: MemoryEventSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A planner that raises yields outcome error and exactly one coordinator.error event."""
    booking_id = await make_booking()

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("planner exploded")

    monkeypatch.setattr(coordinator_module, "plan_v3", explode)
    outcome = await coordinator.process(booking_id, "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.ERROR, "RuntimeError")
    assert assert_one_start_one_terminal(sink) == [EventType.ERROR]
    assert coordinator.breaker.state is BreakerState.CLOSED  # not an infrastructure failure


async def test_infrastructure_errors_count_towards_the_breaker(
    db_url: str, make_booking: BookingFactory, sink: MemoryEventSink, clock: object
) -> None:
    """A closed pool is an infrastructure error: one error event, and the breaker counts it."""
    from seatflow.pipeline.coordinator import CoordinatorConfig
    from seatflow.store.database import open_pool

    booking_id: UUID = await make_booking()
    async with open_pool(db_url, max_size=1) as closing:
        pass  # closed on exit
    broken = AssignmentCoordinator(
        closing,
        sink,
        clock,
        CoordinatorConfig(flags=PipelineFlags(v3=True)),  # type: ignore[arg-type]
    )
    outcome = await broken.process(booking_id, "creation")
    assert outcome.kind is OutcomeKind.ERROR
    assert broken.breaker.failures == 1
    assert_one_start_one_terminal(sink)


async def test_a_confirm_is_two_round_trips(
    db_url: str, floor: StoredFloor, make_booking: BookingFactory, clock: SimulatedClock
) -> None:
    """Claim + occupancy travel together, then every write with the COMMIT: two waits on the
    server for a confirm, and two for a booking that cannot be seated (floor cached)."""
    async with open_pool(db_url, max_size=1) as single:
        coordinator = AssignmentCoordinator(
            single, MemoryEventSink(), clock, CoordinatorConfig(flags=PipelineFlags(v3=True))
        )
        trace = RoundTripTrace()
        async with single.connection() as conn:
            trace.watch(conn)  # the pool's only connection: every invocation uses it
        counts = []
        for party in (2, 8, 8):  # warms the floor cache; confirmed; nothing left for the 8
            booking_id = await make_booking(party_size=party)
            before = trace.count()
            outcome = await coordinator.process(booking_id, "creation")
            counts.append((outcome.kind, trace.count() - before))
        trace.close()
    assert [kind for kind, _ in counts] == [
        OutcomeKind.CONFIRMED,
        OutcomeKind.CONFIRMED,
        OutcomeKind.RETRY,
    ]
    assert [n for _, n in counts[1:]] == [2, 2]


def _lose_the_planned_table_to(
    rival: UUID, db_url: str, floor: StoredFloor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Make the coordinator's planner hand the first table it picks to `rival`, committed by
    another connection between the coordinator's read and its writes."""
    real_plan = coordinator_module.plan_v3

    def plan_then_lose_the_table(*args: Any, **kwargs: Any) -> Any:
        plan = real_plan(*args, **kwargs)
        with psycopg.connect(db_url, autocommit=True) as other:  # commits before our writes
            other.execute(
                "INSERT INTO allocations (restaurant_id, booking_id, table_id, during) "
                "SELECT restaurant_id, id, %s, tstzrange(start_at, end_at) FROM bookings "
                "WHERE id = %s",
                (floor.table_ids[plan.tables[0]], rival),
            )
        return plan

    monkeypatch.setattr(coordinator_module, "plan_v3", plan_then_lose_the_table)


async def test_a_race_lost_at_the_sync_leaves_nothing_and_retries(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
    db_url: str,
    floor: StoredFloor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another booking takes the planned table between the coordinator's read and its writes:
    the confirm fails at the sync, nothing of it stays, the failure is recorded as attempt 1 and
    the booking waits for its retry — and no table is given twice."""
    rival = await make_booking(party_size=2)
    booking_id = await make_booking(party_size=2)
    _lose_the_planned_table_to(rival, db_url, floor, monkeypatch)
    outcome = await coordinator.process(booking_id, "creation")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.RETRY, "TablesTaken")
    async with pool.connection() as conn:
        booking = await require_booking(conn, booking_id)
        assert await table_keys(conn, booking_id) == []
        history = [h["to_state"] for h in await state_history(conn, booking_id)]
        attempts = await (
            await conn.execute(
                "SELECT attempt_no, outcome, reason FROM booking_assignment_attempts "
                "WHERE booking_id = %s",
                (booking_id,),
            )
        ).fetchall()
        holds = await (
            await conn.execute(
                "SELECT count(*) AS n FROM table_holds WHERE booking_id = %s", (booking_id,)
            )
        ).fetchone()
    assert booking.assignment_state == "assignment_pending" and booking.status == "pending"
    assert history[-2:] == ["assignment_in_progress", "assignment_pending"]
    assert "confirmed" not in history
    assert attempts == [{"attempt_no": 1, "outcome": "failed", "reason": "TablesTaken"}]
    assert holds is not None and holds["n"] == 0
    assert assert_one_start_one_terminal(sink) == [EventType.RETRY]
    transitions = [e.context["to_state"] for e in sink.of_type(EventType.STATE_TRANSITION)]
    assert "confirmed" not in transitions and transitions[-1] == "assignment_pending"
    monkeypatch.undo()
    retried = await coordinator.process(booking_id, "retry")  # the next table is free
    assert retried.kind is OutcomeKind.CONFIRMED and retried.tables != outcome.tables


async def test_a_lost_race_is_not_recorded_over_a_booking_that_moved_on(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
    db_url: str,
    floor: StoredFloor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between the failed confirm and its record, someone else moves the booking on (here: to
    review by hand): the coordinator leaves it there — a no-op, no failed attempt written."""
    rival = await make_booking(party_size=2)
    booking_id = await make_booking(party_size=2)
    real_locked = coordinator._locked

    async def moved_on_before_the_record(*args: Any, **kwargs: Any) -> Any:
        if len(args) > 4 or "lost_race" in kwargs:  # the second transaction: staff got there first
            async with pool.connection() as conn, conn.transaction():
                booking = await require_booking(conn, booking_id)
                await advance(conn, booking, (AssignmentState.MANUAL_REVIEW,), actor="staff")
        return await real_locked(*args, **kwargs)

    _lose_the_planned_table_to(rival, db_url, floor, monkeypatch)
    monkeypatch.setattr(coordinator, "_locked", moved_on_before_the_record)
    outcome = await coordinator.process(booking_id, "modification")
    assert (outcome.kind, outcome.reason) == (OutcomeKind.NOOP, "superseded")
    async with pool.connection() as conn:
        booking = await require_booking(conn, booking_id)
        attempts = await (
            await conn.execute(
                "SELECT count(*) AS n FROM booking_assignment_attempts WHERE booking_id = %s",
                (booking_id,),
            )
        ).fetchone()
    assert booking.assignment_state == "manual_review"
    assert attempts is not None and attempts["n"] == 0
    assert assert_one_start_one_terminal(sink) == [EventType.NOOP]


async def test_a_claim_counts_attempts_committed_while_it_waited_for_the_row(
    pool: AsyncConnectionPool[Connection], make_booking: BookingFactory
) -> None:
    """The claim waits on the booking's row lock; an attempt the holder commits meanwhile is in
    the count it returns, so attempt numbers never repeat."""
    booking_id = await make_booking()
    async with pool.connection() as holder, pool.connection() as claimer:
        async with holder.transaction():
            booking = await require_booking(holder, booking_id, for_update=True)
            waiting = asyncio.create_task(claim_booking(claimer, booking_id, pipeline="v3"))
            await asyncio.sleep(0.3)  # the claim is now blocked on the row
            assert not waiting.done()
            await record_attempt(
                holder,
                AttemptRecord(
                    booking_id=booking_id,
                    restaurant_id=booking.restaurant_id,
                    pipeline="v3",
                    trigger="creation",
                    outcome="failed",
                ),
            )
        claim = await waiting
        await claimer.rollback()
    assert claim.locked and claim.booking is not None
    assert claim.attempts == 1
