"""A floor timeline in a few lines, for the console's pure view code."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from seatflow.store.floor_timeline import (
    FloorTimeline,
    TimelineBooking,
    TimelineRestaurant,
    TimelineTable,
)

DAY = date(2026, 12, 5)
OPEN = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
CLOSE = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)


def hm(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 5, hour, minute, tzinfo=UTC)


def tables(*keys: str, zone: str = "main") -> tuple[TimelineTable, ...]:
    return tuple(TimelineTable(key=k, seats=4, zone=zone, zone_name=zone.title()) for k in keys)


def booking(
    on: tuple[str, ...] = ("A",), start: datetime | None = None, **changes: Any
) -> TimelineBooking:
    begin = start or hm(19)
    made = TimelineBooking(
        id=uuid4(),
        ref=None,
        party_size=2,
        start_at=begin,
        end_at=begin + timedelta(minutes=105),
        turn_end=begin + timedelta(minutes=90),
        status="confirmed",
        assignment_state="confirmed",
        review_reason=None,
        source="online",
        pinned=False,
        seated_at=None,
        left_at=None,
        tables=on,
        last_tables=on,
        held_until=None,
        overstaying=False,
        no_show=False,
    )
    return replace(made, **changes)


def timeline(
    floor: tuple[TimelineTable, ...],
    bookings: tuple[TimelineBooking, ...] = (),
    *,
    now: datetime | None = None,
    **changes: Any,
) -> FloorTimeline:
    made = FloorTimeline(
        restaurant=TimelineRestaurant(
            id=UUID(int=1), slug="t", name="T", timezone="UTC", buffer_minutes=15
        ),
        date=DAY,
        start=OPEN,
        end=CLOSE,
        now=now or hm(20),
        closed=None,
        tables=floor,
        bookings=bookings,
        holds=(),
        blocks=(),
    )
    return replace(made, **changes)
