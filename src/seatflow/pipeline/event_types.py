"""Every event source and type name, in one place: producers, dashboards' SQL and docs/events.md
use these strings, and a test checks the catalogue documents each of them."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from seatflow.store.events import Severity

__all__ = [
    "COORDINATOR_SOURCE",
    "FLOOR_SOURCE",
    "LEGACY_SOURCE",
    "STATE_MACHINE_SOURCE",
    "TERMINAL_EVENTS",
    "EventType",
    "FloorEventType",
    "LegacyEventType",
]

COORDINATOR_SOURCE: Final = "assignment.coordinator"
STATE_MACHINE_SOURCE: Final = "assignment.state_machine"
LEGACY_SOURCE: Final = "auto_assign"


class EventType(StrEnum):
    """V3 coordinator events (source `assignment.coordinator`) and the state-machine event."""

    START = "coordinator.start"
    LOCK_ACQUIRED = "coordinator.lock_acquired"
    LOCK_CONTENTION = "coordinator.lock_contention"
    CIRCUIT_OPEN = "coordinator.circuit_open"
    RATE_PERMIT_ACQUIRED = "coordinator.rate_permit_acquired"
    ATTEMPT = "coordinator.attempt"
    SHADOW_COMPARE = "coordinator.shadow_compare"
    CONFIRMED = "coordinator.confirmed"
    RETRY = "coordinator.retry"
    MANUAL_REVIEW = "coordinator.manual_review"
    NOOP = "coordinator.noop"
    ERROR = "coordinator.error"
    STATE_TRANSITION = "booking.assignment_state_transition"


class LegacyEventType(StrEnum):
    """The legacy planner loop's events (source `auto_assign`), kept until legacy is removed."""

    STARTED = "auto_assign.started"
    ATTEMPT = "auto_assign.attempt"
    SUCCEEDED = "auto_assign.succeeded"
    FAILED = "auto_assign.failed"
    CUTOFF_SKIPPED = "auto_assign.cutoff_skipped"
    SUMMARY = "auto_assign.summary"


#: Terminal outcome kind → (event type, default severity). Exactly one of these ends an invocation.
TERMINAL_EVENTS: Final[Mapping[str, tuple[EventType, Severity]]] = MappingProxyType(
    {
        "confirmed": (EventType.CONFIRMED, "info"),
        "retry": (EventType.RETRY, "warning"),
        "manual_review": (EventType.MANUAL_REVIEW, "warning"),
        "noop": (EventType.NOOP, "info"),
        "error": (EventType.ERROR, "error"),
    }
)


FLOOR_SOURCE: Final = "service.floor"


class FloorEventType(StrEnum):
    """The live service (source `service.floor`): what happened at the door and on the floor."""

    SEATED = "floor.seated"
    DISPLACED = "floor.displaced"
    WALK_IN_SEATED = "floor.walk_in_seated"
    WALK_IN_REFUSED = "floor.walk_in_refused"
    DEPARTED = "floor.departed"
    NO_SHOW = "floor.no_show"
    OVERSTAY_EXTENDED = "floor.overstay_extended"
    WHOLE_TURN_GIVEN = "floor.whole_turn_given"
    TABLE_BLOCKED = "floor.table_blocked"
    TABLE_UNBLOCKED = "floor.table_unblocked"
    PINNED = "floor.pinned"
