"""The error budget on a real database: a booking whose assignment keeps raising goes to review
after SEATFLOW_MAX_ERRORS error outcomes, with the reason — in V3 and in the legacy loop — while
an outage spends nothing and failures keep their own retry budget."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from seatflow.bootstrap import services
from seatflow.pipeline import coordinator as coordinator_module
from seatflow.pipeline import legacy_loop as legacy_module
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.coordinator import AssignmentCoordinator
from seatflow.pipeline.error_budget import ErrorBudget
from seatflow.pipeline.event_types import EventType, LegacyEventType
from seatflow.pipeline.flags import PipelineFlags
from seatflow.pipeline.legacy_loop import LegacyAutoAssigner, LegacyConfig
from seatflow.pipeline.outcome import OutcomeKind
from seatflow.settings import Settings
from seatflow.store.bookings import require_booking
from seatflow.store.database import Connection
from seatflow.store.events import MemoryEventSink
from support.events import assert_one_start_one_terminal

BookingFactory = Callable[..., Awaitable[UUID]]
MAX_ERRORS = 3  # the budget of the `coordinator` fixture (conftest)
REASON = "error_budget_exhausted: KeyError"


def _raise(error: Exception) -> Callable[..., Any]:
    def planner(*args: object, **kwargs: object) -> Any:
        raise error

    return planner


async def _attempts(pool: AsyncConnectionPool[Connection], booking_id: UUID) -> list[Any]:
    async with pool.connection() as conn:
        rows = await (
            await conn.execute(
                "SELECT pipeline, attempt_no, outcome, reason FROM booking_assignment_attempts "
                "WHERE booking_id = %s ORDER BY id",
                (booking_id,),
            )
        ).fetchall()
    return [tuple(row.values()) for row in rows]


async def test_v3_sends_a_booking_to_review_after_max_errors(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A planner that always raises: errors 1 and 2 come back to be run again with a growing
    delay, error 3 ends in manual_review with the reason — each an attempt row, each invocation
    one start and one terminal (the last `coordinator.manual_review`, not an error)."""
    booking_id = await make_booking()
    monkeypatch.setattr(coordinator_module, "plan_v3", _raise(KeyError("zone")))
    outcomes = [await coordinator.process(booking_id, "retry") for _ in range(MAX_ERRORS)]
    assert [(o.kind, o.reason, o.attempt) for o in outcomes] == [
        (OutcomeKind.ERROR, "KeyError", 1),
        (OutcomeKind.ERROR, "KeyError", 2),
        (OutcomeKind.MANUAL_REVIEW, REASON, 3),
    ]
    assert outcomes[0].delay is not None and outcomes[1].delay is not None
    assert outcomes[1].delay > outcomes[0].delay
    async with pool.connection() as conn:
        booking = await require_booking(conn, booking_id)
    assert (booking.assignment_state, booking.review_reason) == ("manual_review", REASON)
    assert await _attempts(pool, booking_id) == [("v3", n, "error", "KeyError") for n in (1, 2, 3)]
    terminals = assert_one_start_one_terminal(sink, invocations=MAX_ERRORS)
    assert terminals == [EventType.ERROR, EventType.ERROR, EventType.MANUAL_REVIEW]
    assert sink.of_type(EventType.MANUAL_REVIEW)[0].context["reason"] == REASON
    attempts = sink.of_type(EventType.ATTEMPT)
    assert [(e.context["outcome"], e.severity) for e in attempts] == [("error", "error")] * 3
    states = [e.context["to_state"] for e in sink.of_type(EventType.STATE_TRANSITION)]
    assert states[-1] == "manual_review"
    monkeypatch.undo()
    again = await coordinator.process(booking_id, "retry")  # settled: the queue lets it be
    assert (again.kind, again.reason) == (OutcomeKind.NOOP, "terminal_state")


async def test_an_outage_spends_no_error_budget(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Infrastructure errors past the budget (the connection lost mid-assignment): each an
    error for the breaker, none recorded against the booking, which is seated once the
    database answers again."""
    booking_id = await make_booking()
    lost = psycopg.OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(coordinator_module, "plan_v3", _raise(lost))
    outcomes = [await coordinator.process(booking_id, "retry") for _ in range(MAX_ERRORS + 1)]
    assert {(o.kind, o.reason, o.attempt) for o in outcomes} == {
        (OutcomeKind.ERROR, "OperationalError", None)
    }
    assert coordinator.breaker.failures == MAX_ERRORS + 1
    assert await _attempts(pool, booking_id) == []
    async with pool.connection() as conn:
        assert (await require_booking(conn, booking_id)).assignment_state == "created"
    assert set(assert_one_start_one_terminal(sink, MAX_ERRORS + 1)) == {EventType.ERROR}
    monkeypatch.undo()
    coordinator.breaker.record_success()  # the database is back
    assert (await coordinator.process(booking_id, "retry")).kind is OutcomeKind.CONFIRMED


async def test_errors_do_not_spend_the_retry_budget(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two errors, then a party nothing can seat: it still gets its three planning attempts
    (retry, retry, review) — each budget counts its own outcomes."""
    seated = await make_booking(party_size=8)
    assert (await coordinator.process(seated, "creation")).kind is OutcomeKind.CONFIRMED
    blocked = await make_booking(party_size=8)
    monkeypatch.setattr(coordinator_module, "plan_v3", _raise(KeyError("zone")))
    for _ in range(MAX_ERRORS - 1):
        assert (await coordinator.process(blocked, "retry")).kind is OutcomeKind.ERROR
    monkeypatch.undo()
    outcomes = [await coordinator.process(blocked, "retry") for _ in range(3)]
    assert [o.kind for o in outcomes] == [
        OutcomeKind.RETRY,
        OutcomeKind.RETRY,
        OutcomeKind.MANUAL_REVIEW,
    ]
    assert outcomes[-1].reason == "retry_budget_exhausted: no_capacity"
    assert [o.attempt for o in outcomes] == [3, 4, 5]


async def test_legacy_sends_a_booking_to_review_after_max_errors(
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The legacy loop re-raises an error for the sweep to re-queue — until the error that
    spends the budget, which moves the booking to review and ends the run there."""
    legacy = LegacyAutoAssigner(
        pool, sink, clock, LegacyConfig(errors=ErrorBudget(max_errors=MAX_ERRORS))
    )
    booking_id = await make_booking()
    monkeypatch.setattr(legacy_module, "plan_legacy", _raise(KeyError("zone")))
    for _ in range(MAX_ERRORS - 1):
        with pytest.raises(KeyError):
            await legacy.run(booking_id, "sweep")
    outcome = await legacy.run(booking_id, "sweep")
    assert (outcome.kind, outcome.reason, outcome.attempt) == (
        OutcomeKind.MANUAL_REVIEW,
        REASON,
        MAX_ERRORS,
    )
    async with pool.connection() as conn:
        booking = await require_booking(conn, booking_id)
    assert (booking.assignment_state, booking.review_reason) == ("manual_review", REASON)
    assert await _attempts(pool, booking_id) == [
        ("legacy", n, "error", "KeyError") for n in range(1, MAX_ERRORS + 1)
    ]
    summaries = [e.context for e in sink.of_type(LegacyEventType.SUMMARY)]
    assert [(s["outcome"], s["reason"]) for s in summaries] == [
        *[("error", "KeyError")] * (MAX_ERRORS - 1),
        ("manual_review", REASON),
    ]


async def test_legacy_outage_spends_no_error_budget(
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A lost connection in the legacy loop is re-raised every time and never recorded."""
    legacy = LegacyAutoAssigner(pool, sink, clock, LegacyConfig(errors=ErrorBudget(max_errors=1)))
    booking_id = await make_booking()
    lost = psycopg.OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(legacy_module, "plan_legacy", _raise(lost))
    for _ in range(2):
        with pytest.raises(psycopg.OperationalError):
            await legacy.run(booking_id, "sweep")
    assert await _attempts(pool, booking_id) == []
    async with pool.connection() as conn:
        assert (await require_booking(conn, booking_id)).assignment_state == "created"


async def test_seatflow_max_errors_is_the_budget_both_pipelines_spend(
    db_url: str, make_booking: BookingFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SEATFLOW_MAX_ERRORS=2 the pipelines bootstrap wires send a booking to review at its
    second error: V3 after one error outcome, legacy after one raise."""
    settings = Settings(_env_file=None, DATABASE_URL=db_url, SEATFLOW_MAX_ERRORS=2)  # type: ignore[call-arg]
    monkeypatch.setattr(coordinator_module, "plan_v3", _raise(KeyError("zone")))
    monkeypatch.setattr(legacy_module, "plan_legacy", _raise(KeyError("zone")))
    v3_booking, legacy_booking = await make_booking(), await make_booking()
    async with services(settings, db_url, flags=PipelineFlags(v3=True), pool_size=2) as wired:
        v3 = [(await wired.router.run(v3_booking, "retry")).outcome.kind for _ in range(2)]
    async with services(settings, db_url, flags=PipelineFlags(v3=False), pool_size=2) as wired:
        with pytest.raises(KeyError):
            await wired.router.run(legacy_booking, "sweep")
        legacy = (await wired.router.run(legacy_booking, "sweep")).outcome.kind
    assert v3 == [OutcomeKind.ERROR, OutcomeKind.MANUAL_REVIEW]
    assert legacy is OutcomeKind.MANUAL_REVIEW
