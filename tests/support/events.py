"""Events in tests: seeding observability_events directly, in the shapes the producers write
(docs/events.md), and checks on what an invocation emitted."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from seatflow.pipeline.event_types import COORDINATOR_SOURCE, TERMINAL_EVENTS, EventType
from seatflow.store.events import MemoryEventSink

TERMINAL_TYPES = {event_type for event_type, _ in TERMINAL_EVENTS.values()}
_SOURCES = {
    "coordinator": "assignment.coordinator",
    "auto_assign": "auto_assign",
    "booking": "assignment.state_machine",
}


def add_restaurant(url: str, slug: str) -> UUID:
    """A bare restaurant row, enough for events to name it by slug."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "INSERT INTO restaurants (slug, name, turn_minutes) VALUES (%s, %s, '[]') RETURNING id",
            (slug, slug.title()),
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def add_events(
    url: str,
    event_type: str,
    count: int,
    *,
    restaurant_id: UUID | None = None,
    context: dict[str, Any] | None = None,
    simulated: bool = False,
    one_minute_each: bool = False,
) -> None:
    """`count` events of one type, a few minutes old (each in its own minute if asked), with
    `trigger` and `mode` in their context as the coordinator writes them."""
    source = _SOURCES[event_type.split(".")[0]]
    body = {"trigger": "creation", "mode": "v3", **(context or {})}
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO observability_events "
            "(created_at, source, event_type, severity, restaurant_id, context, simulated) "
            "SELECT now() - interval '5 minutes' - CASE WHEN %(spread)s "
            "         THEN i * interval '1 minute' ELSE interval '0' END, "
            "       %(source)s, %(event_type)s, 'info', %(restaurant_id)s, %(context)s, "
            "       %(simulated)s "
            "FROM generate_series(1, %(count)s) AS i",
            {
                "spread": one_minute_each,
                "source": source,
                "event_type": event_type,
                "restaurant_id": restaurant_id,
                "context": Jsonb(body),
                "simulated": simulated,
                "count": count,
            },
        )


def shadow_compares(
    url: str,
    classification: str,
    count: int,
    *,
    restaurant_id: UUID | None = None,
    simulated: bool = False,
) -> None:
    """`count` shadow comparisons of one classification."""
    add_events(
        url,
        "coordinator.shadow_compare",
        count,
        restaurant_id=restaurant_id,
        context={"mode": "shadow", "classification": classification, "v3_duration_ms": 1.5},
        simulated=simulated,
    )


def assert_one_start_one_terminal(sink: MemoryEventSink, invocations: int = 1) -> list[str]:
    """Every invocation left exactly one start and one terminal event; return the terminals."""
    coordinator_events = [e for e in sink.events if e.source == COORDINATOR_SOURCE]
    starts = [e for e in coordinator_events if e.event_type == EventType.START]
    terminals = [e.event_type for e in coordinator_events if e.event_type in TERMINAL_TYPES]
    assert len(starts) == invocations
    assert len(terminals) == invocations
    return terminals
