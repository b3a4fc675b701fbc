"""State-machine events: what a committed transition reports, and how loudly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.telemetry import (
    STATE_MACHINE_SOURCE,
    EventType,
    state_transition_event,
)
from seatflow.store.bookings import BookingRecord, Transition
from seatflow.store.events import MemoryEventSink

S = AssignmentState
BOOKING = uuid4()
RESTAURANT = uuid4()
T0 = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)


@dataclass(frozen=True)
class _Record:
    id: UUID
    restaurant_id: UUID
    version: int


@dataclass(frozen=True)
class _Step:
    booking: _Record
    from_state: AssignmentState
    to_state: AssignmentState


def _transition(to_state: AssignmentState, reason: str | None) -> Transition:
    """A store Transition as `advance` returns it, from confirmed to `to_state`."""
    record = BookingRecord(
        id=BOOKING,
        restaurant_id=RESTAURANT,
        ref=None,
        party_size=2,
        start_at=T0,
        end_at=T0,
        duration_minutes=None,
        zone_preference=None,
        status=BookingStatus.PENDING,
        assignment_state=to_state,
        version=9,
        strategy=None,
        review_reason=None,
        created_at=T0,
    )
    return Transition(
        booking=record, from_state=S.CONFIRMED, to_state=to_state, reason=reason, actor="api:k1"
    )


def test_state_transition_event_from_fields() -> None:
    """The state-machine event names both states and the new version."""
    event = state_transition_event(
        BOOKING, RESTAURANT, "assignment_pending", "assignment_in_progress", 4, actor="v3:creation"
    )
    stored = MemoryEventSink()
    stored.emit(event)
    (row,) = stored.events
    assert (row.source, row.event_type) == (STATE_MACHINE_SOURCE, EventType.STATE_TRANSITION)
    assert (row.booking_id, row.restaurant_id, row.severity) == (BOOKING, RESTAURANT, "info")
    assert row.context == {
        "actor": "v3:creation",
        "from_state": "assignment_pending",
        "to_state": "assignment_in_progress",
        "version": 4,
    }


def test_state_transition_event_from_a_transition_like_object() -> None:
    """Anything shaped like a Transition gives the same event; a move to review is a warning."""
    step = _Step(
        booking=_Record(id=BOOKING, restaurant_id=RESTAURANT, version=7),
        from_state=S.ASSIGNMENT_IN_PROGRESS,
        to_state=S.MANUAL_REVIEW,
    )
    event = state_transition_event(step, clock=SimulatedClock(T0))
    assert event.created_at == T0
    assert event.severity == "warning"
    assert event.context == {
        "from_state": "assignment_in_progress",
        "to_state": "manual_review",
        "version": 7,
    }


def test_a_cancellation_is_an_info_event_that_says_why() -> None:
    """A cancellation reports its own state, info severity, and the history row's reason and
    actor — nothing a dashboard would read as a failure."""
    event = state_transition_event(_transition(S.CANCELLED, "cancelled"))
    assert event.severity == "info"
    assert event.context == {
        "actor": "api:k1",
        "reason": "cancelled",
        "from_state": "confirmed",
        "to_state": "cancelled",
        "version": 9,
    }


@pytest.mark.parametrize(
    ("to_state", "severity"),
    [
        (S.ASSIGNMENT_PENDING, "info"),
        (S.CANCELLED, "info"),
        (S.MANUAL_REVIEW, "warning"),
        (S.FAILED, "warning"),
    ],
)
def test_only_states_that_need_someone_are_warnings(
    to_state: AssignmentState, severity: str
) -> None:
    """Review and failed ask for attention; every other move, cancellation included, is info."""
    assert state_transition_event(_transition(to_state, "why")).severity == severity


def test_a_callers_reason_wins_over_the_transitions() -> None:
    """A producer may still say more than the history row did."""
    event = state_transition_event(_transition(S.MANUAL_REVIEW, "no_capacity"), reason="other")
    assert event.context["reason"] == "other"
