"""Coordinator telemetry: payload shape, JSON safety and the exactly-one-start/terminal rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from structlog.testing import capture_logs

from seatflow.domain.states import AssignmentState
from seatflow.pipeline.event_types import FloorEventType
from seatflow.pipeline.telemetry import (
    COORDINATOR_SOURCE,
    CoordinatorTelemetry,
    EventType,
    LegacyEventType,
)
from seatflow.store.event_json import MAX_CONTEXT_BYTES
from seatflow.store.events import Event, MemoryEventSink

BOOKING = uuid4()
RESTAURANT = uuid4()
T0 = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[3] / "docs" / "events.md"


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one moment, like the simulated clock between arrivals."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


class FakeTimer:
    """A monotonic timer that moves only when told to."""

    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds


class RaisingSink:
    """A sink that breaks every promise a sink makes."""

    dropped = 0

    def emit(self, event: Event) -> None:
        raise RuntimeError("sink is down")


def make(
    sink: MemoryEventSink | RaisingSink,
    *,
    timer: FakeTimer | None = None,
    booking_id: UUID | str | None = BOOKING,
    restaurant_id: UUID | str | None = RESTAURANT,
) -> CoordinatorTelemetry:
    return CoordinatorTelemetry(
        sink,
        booking_id=booking_id,
        restaurant_id=restaurant_id,
        trigger="creation",
        mode="v3",
        clock=FixedClock(T0),
        timer=timer or FakeTimer(),
    )


def types(sink: MemoryEventSink) -> list[str]:
    return [e.event_type for e in sink.events]


def test_terminal_payload_has_source_ids_severity_trigger_mode_and_duration() -> None:
    """A confirmed invocation stores start then confirmed, bound to ids, trigger, mode, duration."""
    sink, timer = MemoryEventSink(), FakeTimer()
    telemetry = make(sink, timer=timer)
    telemetry.start()
    timer.seconds += 0.008
    telemetry.terminal("confirmed", strategy="optimal_fit", attempts=3)
    assert types(sink) == [EventType.START, EventType.CONFIRMED]
    confirmed = sink.events[-1]
    assert confirmed.source == COORDINATOR_SOURCE
    assert (confirmed.booking_id, confirmed.restaurant_id) == (BOOKING, RESTAURANT)
    assert confirmed.severity == "info"
    assert confirmed.created_at == T0
    assert confirmed.context == {
        "strategy": "optimal_fit",
        "attempts": 3,
        "duration_ms": 8.0,
        "trigger": "creation",
        "mode": "v3",
    }


@pytest.mark.parametrize(
    ("kind", "event_type", "severity"),
    [
        ("confirmed", EventType.CONFIRMED, "info"),
        ("retry", EventType.RETRY, "warning"),
        ("manual_review", EventType.MANUAL_REVIEW, "warning"),
        ("noop", EventType.NOOP, "info"),
        ("error", EventType.ERROR, "error"),
    ],
)
def test_each_terminal_kind_maps_to_its_event_and_severity(
    kind: str, event_type: EventType, severity: str
) -> None:
    """Every outcome kind ends the invocation with its own event type and default severity."""
    sink = MemoryEventSink()
    make(sink).terminal(kind)
    assert sink.events[-1].event_type == event_type
    assert sink.events[-1].severity == severity


def test_every_event_carries_trigger_and_mode_which_callers_cannot_override() -> None:
    """Lifecycle events carry the bound trigger and mode even if a caller passes others."""
    sink = MemoryEventSink()
    telemetry = make(sink)
    telemetry.start()
    telemetry.event(EventType.LOCK_ACQUIRED, mode="other")
    telemetry.event(EventType.RATE_PERMIT_ACQUIRED, slot=2)
    telemetry.terminal("noop", reason="terminal_state")
    assert all(e.context["trigger"] == "creation" for e in sink.events)
    assert all(e.context["mode"] == "v3" for e in sink.events)
    assert sink.events[2].context["slot"] == 2


def test_non_json_values_are_stored_json_safe() -> None:
    """Datetimes, UUIDs, sets, enums, arbitrary objects and NaN become JSON-safe values."""
    sink, value = MemoryEventSink(), uuid4()

    class Opaque:
        def __repr__(self) -> str:
            return "<Opaque>"

    telemetry = make(sink)
    telemetry.event(
        EventType.ATTEMPT,
        at=T0,
        table=value,
        tables={"t3", "t1"},
        state=AssignmentState.ASSIGNED,
        thing=Opaque(),
        score=float("nan"),
        wait=timedelta(seconds=90),
    )
    context = sink.events[-1].context
    json.dumps(context, allow_nan=False)
    assert context["at"] == "2026-12-05T19:00:00+00:00"
    assert context["table"] == str(value)
    assert context["tables"] == ["t1", "t3"]
    assert context["state"] == "assigned"
    assert context["thing"] == "<Opaque>"
    assert context["score"] is None
    assert context["wait"] == 90.0


def test_oversize_context_is_capped_valid_and_marked_truncated() -> None:
    """A context far over the cap is stored as valid JSON under it, marked `_truncated`."""
    sink = MemoryEventSink()
    make(sink).terminal("confirmed", plan="x" * 50_000, moves=list(range(5000)), strategy="s")
    context = sink.events[-1].context
    assert len(json.dumps(context, separators=(",", ":")).encode()) <= MAX_CONTEXT_BYTES
    assert context["_truncated"] is True
    assert context["strategy"] == "s"
    assert context["trigger"] == "creation"
    assert str(context["plan"]).startswith("<truncated")


def test_missing_and_malformed_ids_are_fine() -> None:
    """No ids is allowed; a malformed id is stored as None with the original kept in context."""
    sink = MemoryEventSink()
    make(sink, booking_id=None, restaurant_id=None).start()
    make(sink, booking_id="request:R-1", restaurant_id=str(RESTAURANT)).start()
    first, second = sink.events
    assert (first.booking_id, first.restaurant_id) == (None, None)
    assert (second.booking_id, second.restaurant_id) == (None, RESTAURANT)
    assert second.context["booking_ref"] == "request:R-1"


def test_ids_learnt_later_are_bound_to_later_events() -> None:
    """bind() adds the restaurant once known; earlier events keep what was known then."""
    sink = MemoryEventSink()
    telemetry = make(sink, restaurant_id=None)
    telemetry.start()
    telemetry.bind(restaurant_id=RESTAURANT)
    telemetry.terminal("confirmed")
    assert [e.restaurant_id for e in sink.events] == [None, RESTAURANT]


def test_guest_contact_details_are_stripped_at_any_depth() -> None:
    """Keys naming guest contacts are dropped from the context, also inside nested values."""
    sink = MemoryEventSink()
    make(sink).event(
        EventType.ATTEMPT,
        guest_name="Ada",
        Email="ada@example.com",
        booking={"party": 2, "guest_phone": "+44", "guest": {"name": "Ada"}},
        rows=[{"phone": "+44", "table": "t1"}],
    )
    context = sink.events[-1].context
    text = json.dumps(context)
    assert "Ada" not in text and "+44" not in text and "example.com" not in text
    assert context["booking"] == {"party": 2}
    assert context["rows"] == [{"table": "t1"}]


def test_a_raising_sink_never_raises_and_is_counted() -> None:
    """Telemetry swallows sink errors, counts them and keeps its bookkeeping."""
    telemetry = make(RaisingSink())
    telemetry.start()
    telemetry.event(EventType.LOCK_ACQUIRED)
    telemetry.terminal("confirmed")
    telemetry.finish_with_error(ValueError("late"))
    assert telemetry.sink_failures == 3
    assert telemetry.terminal_event is EventType.CONFIRMED


def test_a_second_terminal_is_ignored_and_logged() -> None:
    """Only the first terminal is emitted; the second leaves a log line, not an event."""
    sink = MemoryEventSink()
    telemetry = make(sink)
    telemetry.start()
    telemetry.terminal("retry", reason="no_capacity")
    with capture_logs() as logs:
        telemetry.terminal("confirmed")
    assert types(sink) == [EventType.START, EventType.RETRY]
    assert [entry["event"] for entry in logs] == ["telemetry_duplicate_terminal"]


def test_a_second_start_is_ignored() -> None:
    """Starting twice emits one start."""
    sink = MemoryEventSink()
    telemetry = make(sink)
    telemetry.start()
    telemetry.start()
    assert types(sink) == [EventType.START]


def test_a_terminal_without_start_emits_the_start_first() -> None:
    """A terminal (or a lifecycle event) with no start before it emits the start first."""
    sink = MemoryEventSink()
    telemetry = make(sink)
    telemetry.event(EventType.LOCK_CONTENTION, severity="warning")
    telemetry.terminal("noop", reason="lock_contention")
    assert types(sink) == [EventType.START, EventType.LOCK_CONTENTION, EventType.NOOP]


def test_lifecycle_events_after_the_terminal_are_ignored() -> None:
    """Nothing of this invocation is emitted once its terminal has been."""
    sink = MemoryEventSink()
    telemetry = make(sink)
    telemetry.terminal("confirmed")
    with capture_logs() as logs:
        telemetry.event(EventType.ATTEMPT)
    assert types(sink) == [EventType.START, EventType.CONFIRMED]
    assert logs[0]["event"] == "telemetry_event_after_terminal"


def test_terminal_types_passed_to_event_obey_the_terminal_rules() -> None:
    """event() with a start or terminal type is routed, so the invariant cannot be bypassed."""
    sink = MemoryEventSink()
    telemetry = make(sink)
    telemetry.event(EventType.START)
    telemetry.event(EventType.CONFIRMED)
    telemetry.event(EventType.ERROR)
    assert types(sink) == [EventType.START, EventType.CONFIRMED]


def test_an_unknown_terminal_kind_ends_the_invocation_as_an_error() -> None:
    """A typo'd kind still yields exactly one terminal: an error naming the kind."""
    sink = MemoryEventSink()
    make(sink).terminal("confirmd")
    assert sink.events[-1].event_type == EventType.ERROR
    assert sink.events[-1].context["terminal_kind"] == "confirmd"


async def test_an_escaping_exception_emits_one_error_and_propagates() -> None:
    """Inside invocation(), an exception emits coordinator.error with its type and message."""
    sink = MemoryEventSink()
    telemetry = make(sink)
    with pytest.raises(KeyError):
        async with telemetry.invocation():
            telemetry.event(EventType.LOCK_ACQUIRED)
            raise KeyError("x" * 2000)
    assert types(sink) == [EventType.START, EventType.LOCK_ACQUIRED, EventType.ERROR]
    error = sink.events[-1]
    assert error.severity == "error"
    assert error.context["error_type"] == "KeyError"
    assert error.context["reason"] == "KeyError"
    assert len(str(error.context["error_message"])) <= 501
    assert "duration_ms" in error.context


async def test_an_exception_after_the_terminal_adds_nothing() -> None:
    """A terminal already sent stays the only one, even if an exception escapes afterwards."""
    sink = MemoryEventSink()
    telemetry = make(sink)
    with pytest.raises(RuntimeError):
        async with telemetry.invocation():
            telemetry.terminal("confirmed")
            raise RuntimeError("after")
    assert types(sink) == [EventType.START, EventType.CONFIRMED]


async def test_an_invocation_that_ends_without_terminal_reports_an_error() -> None:
    """Leaving invocation() normally with no terminal is a bug, reported as missing_terminal."""
    sink = MemoryEventSink()
    async with make(sink).invocation(attempt=1):
        pass
    assert types(sink) == [EventType.START, EventType.ERROR]
    assert sink.events[0].context["attempt"] == 1
    assert sink.events[-1].context["reason"] == "missing_terminal"


def test_finish_with_error_keeps_a_callers_reason_and_context() -> None:
    """finish_with_error adds the exception and keeps extra context such as breaker state."""
    sink = MemoryEventSink()
    telemetry = make(sink)
    telemetry.finish_with_error(TimeoutError("pool"), breaker_state="open")
    assert types(sink) == [EventType.START, EventType.ERROR]
    assert sink.events[-1].context["breaker_state"] == "open"
    assert sink.events[-1].context["error_message"] == "pool"


def test_the_catalogue_documents_every_event_type() -> None:
    """docs/events.md names every coordinator, state-machine, legacy and floor event type."""
    text = DOCS.read_text(encoding="utf-8")
    kinds = [*EventType, *LegacyEventType, *FloorEventType]
    missing = [t.value for t in kinds if f"`{t.value}`" not in text]
    assert missing == []
