"""Coordinator telemetry: one object per invocation, so every invocation reports exactly one
`coordinator.start` and exactly one terminal event — what the rollout's rates are computed from.

Emitting never raises and never blocks: a failing sink is caught and counted here, and the sink
itself only enqueues.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Final, Protocol, overload
from uuid import UUID

import structlog

from seatflow.pipeline.event_types import (
    COORDINATOR_SOURCE,
    LEGACY_SOURCE,
    STATE_MACHINE_SOURCE,
    TERMINAL_EVENTS,
    EventType,
    LegacyEventType,
)
from seatflow.store.events import Event, EventSink, Severity

__all__ = [
    "COORDINATOR_SOURCE",
    "LEGACY_SOURCE",
    "STATE_MACHINE_SOURCE",
    "CoordinatorTelemetry",
    "EventType",
    "LegacyEventType",
    "TransitionLike",
    "state_transition_event",
]

log = structlog.get_logger(__name__)

EventId = UUID | str | None


class Clock(Protocol):
    """Anything with `now()`: the system clock, or `simulate`'s simulated one."""

    def now(self) -> datetime: ...


_MESSAGE_LIMIT: Final = 500
_ATTENTION_STATES: Final = frozenset({"manual_review", "failed"})


class CoordinatorTelemetry:
    """Events of one coordinator invocation, bound to its booking, restaurant, trigger and mode.

    A second start or terminal is ignored and logged; a terminal (or lifecycle event) without a
    start emits the start first; lifecycle events after the terminal are ignored and logged.
    """

    def __init__(
        self,
        sink: EventSink,
        *,
        booking_id: EventId = None,
        restaurant_id: EventId = None,
        trigger: str,
        mode: str,
        clock: Clock | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._sink = sink
        self.booking_id = booking_id
        self.restaurant_id = restaurant_id
        self.trigger = trigger
        self.mode = mode
        self._clock = clock
        self._timer = timer
        self._t0 = timer()
        self._started = False
        self._terminal: EventType | None = None
        self.sink_failures = 0

    @property
    def started(self) -> bool:
        return self._started

    @property
    def terminal_event(self) -> EventType | None:
        """The terminal event emitted, if any."""
        return self._terminal

    def bind(self, *, booking_id: EventId = None, restaurant_id: EventId = None) -> None:
        """Fill in ids learnt during the invocation (the restaurant, once the booking is loaded)."""
        if booking_id is not None:
            self.booking_id = booking_id
        if restaurant_id is not None:
            self.restaurant_id = restaurant_id

    def start(self, **context: object) -> None:
        if self._started:
            self._ignored("telemetry_duplicate_start", EventType.START)
            return
        self._started = True
        with contextlib.suppress(Exception):  # keep the construction time if the timer fails
            self._t0 = self._timer()
        self._emit(EventType.START, "info", context)

    def event(self, event_type: str, severity: Severity = "info", **context: object) -> None:
        """A lifecycle event between start and terminal; start and terminal types are routed."""
        if event_type == EventType.START:
            self.start(**context)
            return
        for kind, (terminal_type, _) in TERMINAL_EVENTS.items():
            if event_type == terminal_type:
                self.terminal(kind, severity=severity, **context)
                return
        if self._terminal is not None:
            self._ignored("telemetry_event_after_terminal", event_type)
            return
        if not self._started:
            self.start()
        self._emit(event_type, severity, context)

    def terminal(self, kind: str, *, severity: Severity | None = None, **context: object) -> None:
        """The one outcome: confirmed | retry | manual_review | noop | error, with duration_ms."""
        self._finish(kind, severity, context)

    def _finish(self, kind: str, severity: Severity | None, context: dict[str, object]) -> None:
        if self._terminal is not None:
            self._ignored("telemetry_duplicate_terminal", f"coordinator.{kind}")
            return
        if not self._started:
            self.start()
        spec = TERMINAL_EVENTS.get(str(kind))
        if spec is None:  # an unknown kind still ends the invocation, visibly
            log.warning("telemetry_unknown_terminal", kind=str(kind), booking_id=self.booking_id)
            context = {**context, "terminal_kind": str(kind)}
            spec = TERMINAL_EVENTS["error"]
        event_type, default_severity = spec
        self._terminal = event_type
        duration_ms = self._elapsed_ms()
        self._emit(
            event_type, severity or default_severity, {**context, "duration_ms": duration_ms}
        )

    def finish_with_error(self, exc: BaseException, **context: object) -> None:
        """`coordinator.error` for an exception that escaped, unless a terminal was already sent."""
        if self._terminal is not None:
            return
        try:
            message = str(exc)
        except Exception:  # an exception whose __str__ raises still ends the invocation
            message = f"<unprintable {type(exc).__name__}>"
        if len(message) > _MESSAGE_LIMIT:
            message = message[:_MESSAGE_LIMIT] + "…"
        context.setdefault("reason", type(exc).__name__)
        context.update(error_type=type(exc).__name__, error_message=message)
        self._finish("error", None, context)

    @asynccontextmanager
    async def invocation(self, **context: object) -> AsyncIterator[CoordinatorTelemetry]:
        """Start on entry; on an escaping exception emit `coordinator.error` and re-raise; on a
        normal exit without a terminal emit `coordinator.error` with reason `missing_terminal`."""
        self.start(**context)
        try:
            yield self
        except BaseException as exc:  # also cancellation: the invocation still ends once
            self.finish_with_error(exc)
            raise
        if self._terminal is None:
            self.terminal("error", reason="missing_terminal")

    def _emit(self, event_type: str, severity: Severity, context: Mapping[str, object]) -> None:
        try:
            self._sink.emit(
                Event(
                    source=COORDINATOR_SOURCE,
                    event_type=event_type,
                    severity=severity,
                    booking_id=self.booking_id,
                    restaurant_id=self.restaurant_id,
                    context={**context, "trigger": self.trigger, "mode": self.mode},
                    created_at=_now(self._clock),
                )
            )
        except Exception as exc:  # telemetry never breaks an assignment
            self.sink_failures += 1
            if self.sink_failures == 1:
                log.warning(
                    "telemetry_emit_failed", event_type=str(event_type), error=type(exc).__name__
                )

    def _elapsed_ms(self) -> float | None:
        try:
            return round((self._timer() - self._t0) * 1000, 3)
        except Exception:  # an injected timer that fails costs the duration, not the event
            return None

    def _ignored(self, what: str, event_type: str) -> None:
        log.warning(
            what,
            event_type=str(event_type),
            terminal=self._terminal and str(self._terminal),
            booking_id=str(self.booking_id),
            trigger=self.trigger,
        )


def _now(clock: Clock | None) -> datetime:
    if clock is not None:
        try:
            return clock.now()
        except Exception:  # a broken clock must not cost the event
            pass
    return datetime.now(UTC)


class _BookingLike(Protocol):
    @property
    def id(self) -> UUID: ...
    @property
    def restaurant_id(self) -> UUID: ...
    @property
    def version(self) -> int: ...


class TransitionLike(Protocol):
    """What `store.bookings.Transition` offers: the new record and the from/to states (and, when
    the object has them, the history row's `reason` and `actor`)."""

    @property
    def booking(self) -> _BookingLike: ...
    @property
    def from_state(self) -> str: ...
    @property
    def to_state(self) -> str: ...


@overload
def state_transition_event(
    step: TransitionLike,
    /,
    *,
    clock: Clock | None = None,
    actor: str | None = None,
    reason: str | None = None,
) -> Event: ...


@overload
def state_transition_event(
    booking_id: EventId,
    restaurant_id: EventId,
    from_state: str,
    to_state: str,
    version: int,
    *,
    clock: Clock | None = None,
    **context: object,
) -> Event: ...


def state_transition_event(
    booking_id: TransitionLike | EventId = None,
    restaurant_id: EventId = None,
    from_state: str | None = None,
    to_state: str | None = None,
    version: int | None = None,
    *,
    clock: Clock | None = None,
    **context: object,
) -> Event:
    """`booking.assignment_state_transition` (source `assignment.state_machine`), from a committed
    transition or from its fields; emit it only after the transaction that made it commits.

    Info, except a move into a state that needs someone's attention (review, failed): a
    cancellation is info and says so in its `reason`."""
    if booking_id is not None and not isinstance(booking_id, UUID | str):
        step = booking_id
        record = getattr(step, "booking", None)
        booking_id = getattr(record, "id", None)
        restaurant_id = getattr(record, "restaurant_id", None)
        version = getattr(record, "version", None)
        from_state = getattr(step, "from_state", None)
        to_state = getattr(step, "to_state", None)
        for key in ("actor", "reason"):  # what the history row says, unless the caller overrides
            if key not in context and hasattr(step, key):
                context[key] = getattr(step, key)
    to_text = None if to_state is None else str(to_state)
    return Event(
        source=STATE_MACHINE_SOURCE,
        event_type=EventType.STATE_TRANSITION,
        severity="warning" if to_text in _ATTENTION_STATES else "info",
        booking_id=booking_id,
        restaurant_id=restaurant_id,
        context={
            **context,
            "from_state": None if from_state is None else str(from_state),
            "to_state": to_text,
            "version": version,
        },
        created_at=_now(clock),
    )
