"""Events of the live service (source `service.floor`): what happened at the door and on the
floor, built one way for every producer (the API's routes, the periodic sweeps).

Emit only after the transaction that did it committed, as for state-machine events."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from seatflow.pipeline.event_types import FLOOR_SOURCE, FloorEventType
from seatflow.store.events import Event, Severity

__all__ = ["floor_event"]


def floor_event(
    event_type: FloorEventType,
    *,
    at: datetime,
    booking_id: UUID | None = None,
    restaurant_id: UUID | None = None,
    severity: Severity = "info",
    **context: object,
) -> Event:
    """One floor event; `context` holds ids, tables and times — never a guest's details."""
    return Event(
        source=FLOOR_SOURCE,
        event_type=event_type.value,
        severity=severity,
        booking_id=booking_id,
        restaurant_id=restaurant_id,
        context=context,
        created_at=at,
    )
