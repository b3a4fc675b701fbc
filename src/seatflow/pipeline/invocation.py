"""What one coordinator transaction carries to the next step: the events it may announce only
once it has committed, and — when its confirm lost a race at the sync — what the second, short
transaction needs to record that failure."""

from __future__ import annotations

from dataclasses import dataclass

from seatflow.pipeline.telemetry import CoordinatorTelemetry, state_transition_event
from seatflow.store.bookings import BookingRecord, Transition
from seatflow.store.events import EventSink, Severity

__all__ = ["InvocationRun", "LostRace"]


@dataclass(frozen=True, slots=True)
class LostRace:
    """A confirm that failed at its sync: why, how long planning took, and the booking's version
    then — the record of the failure is written only if the booking is still at it."""

    reason: str
    plan_ms: float
    version: int


class InvocationRun:
    """What one transaction of an invocation will announce once it has committed."""

    def __init__(self, telemetry: CoordinatorTelemetry) -> None:
        self.telemetry = telemetry
        self.transitions: list[Transition] = []
        self.plan_ms = 0.0
        self.planned: BookingRecord | None = None  # the booking as the confirm found it
        self.attempt: int | None = None  # the attempt number this transaction records
        self._events: list[tuple[str, Severity, dict[str, object]]] = []

    def later(self, event_type: str, severity: Severity = "info", **context: object) -> None:
        self._events.append((event_type, severity, context))

    def committed(self, sink: EventSink) -> None:
        for event_type, severity, context in self._events:
            self.telemetry.event(event_type, severity, **context)
        for step in self.transitions:
            sink.emit(state_transition_event(step))
