"""Checks on what an invocation emitted, shared by the pipeline tests."""

from __future__ import annotations

from seatflow.pipeline.event_types import COORDINATOR_SOURCE, TERMINAL_EVENTS, EventType
from seatflow.store.events import MemoryEventSink

TERMINAL_TYPES = {event_type for event_type, _ in TERMINAL_EVENTS.values()}


def assert_one_start_one_terminal(sink: MemoryEventSink, invocations: int = 1) -> list[str]:
    """Every invocation left exactly one start and one terminal event; return the terminals."""
    coordinator_events = [e for e in sink.events if e.source == COORDINATOR_SOURCE]
    starts = [e for e in coordinator_events if e.event_type == EventType.START]
    terminals = [e.event_type for e in coordinator_events if e.event_type in TERMINAL_TYPES]
    assert len(starts) == invocations
    assert len(terminals) == invocations
    return terminals
