"""The floor timeline of one restaurant's local date, read in one go for the ops console and the
operator CLI: the tables, every booking of the day with its tables and live state, the live holds
and the table blocks of the service window.

Read-only: nothing here writes, locks or migrates. Guest contact details are never read (the API
shows a restaurant none either); a booking is named by its id and ref.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from seatflow.domain.service import ServiceRules
from seatflow.errors import NotFound
from seatflow.store.database import Connection
from seatflow.store.queries import query
from seatflow.store.service_rules import load_rules

__all__ = [
    "DEFAULT_CLOSES",
    "DEFAULT_OPENS",
    "FloorTimeline",
    "TimelineBlock",
    "TimelineBooking",
    "TimelineHold",
    "TimelineRestaurant",
    "TimelineTable",
    "day_bounds",
    "load_timeline",
    "service_window",
]

#: The window drawn for a restaurant with no periods and no bookings that day (local time).
DEFAULT_OPENS = time(17, 0)
DEFAULT_CLOSES = time(23, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineRestaurant:
    id: UUID
    slug: str
    name: str
    timezone: str
    #: Minutes a table rests after a party: a booking's `end_at` includes them.
    buffer_minutes: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineTable:
    key: str
    seats: int
    zone: str
    zone_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineBooking:
    """A booking of the day. `end_at` is the end of its occupancy, the buffer included (as the
    API shows it), `turn_end` the end of the guests' turn; `tables` are its live tables (empty
    once released: cancelled, no-show, or never placed); `last_tables` the set it was last given,
    kept after release; `held_until` the end of its tables' occupancy now (overstay extensions
    included)."""

    id: UUID
    ref: str | None
    party_size: int
    start_at: datetime
    end_at: datetime
    turn_end: datetime
    status: str
    assignment_state: str
    review_reason: str | None
    source: str
    pinned: bool
    seated_at: datetime | None
    left_at: datetime | None
    tables: tuple[str, ...]
    last_tables: tuple[str, ...]
    held_until: datetime | None
    #: Seated, past its turn's end at the moment of reading, and not gone.
    overstaying: bool
    no_show: bool

    @property
    def in_review(self) -> bool:
        return self.assignment_state == "manual_review" and self.status in ("pending", "confirmed")


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineHold:
    id: UUID
    booking_id: UUID
    start_at: datetime
    end_at: datetime
    expires_at: datetime
    tables: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineBlock:
    id: UUID
    table: str
    start_at: datetime
    end_at: datetime
    reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorTimeline:
    """One restaurant's local `date`: the window [start, end) to draw, and what falls in it."""

    restaurant: TimelineRestaurant
    date: date
    start: datetime
    end: datetime
    #: When it was read: what `overstaying` and live holds were judged against.
    now: datetime
    closed: str | None
    tables: tuple[TimelineTable, ...]
    bookings: tuple[TimelineBooking, ...]
    holds: tuple[TimelineHold, ...]
    blocks: tuple[TimelineBlock, ...]


async def load_timeline(
    conn: Connection, restaurant_id: UUID, service_date: date, *, now: datetime | None = None
) -> FloorTimeline:
    """The timeline of `service_date` (the restaurant's local date); NotFound for no restaurant.
    `now` (default: the wall clock) decides overstays and which holds are still live."""
    now = now or datetime.now(UTC)
    params: dict[str, Any] = {"restaurant_id": restaurant_id}
    head = await _one(conn, "timeline_restaurant", params)
    if head is None:
        raise NotFound(f"no restaurant {restaurant_id}")
    rules = await load_rules(conn, restaurant_id)
    day_start, day_end = day_bounds(service_date, head["timezone"])
    rows = await _all(
        conn, "timeline_bookings", {**params, "day_start": day_start, "day_end": day_end}
    )
    buffer = timedelta(minutes=head["buffer_minutes"])
    bookings = tuple(_booking(row, now, buffer) for row in rows)
    start, end = service_window(rules, service_date, _longest_turn(head, rules), bookings)
    window = {**params, "day_start": start, "day_end": end, "now": now}
    tables = await _all(conn, "timeline_tables", params)
    return FloorTimeline(
        restaurant=TimelineRestaurant(
            id=head["id"],
            slug=head["slug"],
            name=head["name"],
            timezone=head["timezone"],
            buffer_minutes=head["buffer_minutes"],
        ),
        date=service_date,
        start=start,
        end=end,
        now=now,
        closed=_closure(rules, service_date),
        tables=tuple(sorted((_table(row) for row in tables), key=_table_order)),
        bookings=bookings,
        holds=tuple(_hold(row) for row in await _all(conn, "timeline_holds", window)),
        blocks=tuple(_block(row) for row in await _all(conn, "timeline_blocks", window)),
    )


def day_bounds(service_date: date, timezone: str) -> tuple[datetime, datetime]:
    """[local midnight, next local midnight) of the date, in UTC (23 or 25 hours on a DST day)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(service_date, time(), tzinfo=zone)
    end = datetime.combine(service_date + timedelta(days=1), time(), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def service_window(
    rules: ServiceRules,
    service_date: date,
    turn_minutes: int,
    bookings: tuple[TimelineBooking, ...] = (),
) -> tuple[datetime, datetime]:
    """What to draw: from the first seating of the day's periods to the last seating plus the
    longest turn, widened to every booking's start and occupancy; without periods the bookings'
    span alone; with neither, 17:00–23:00 local."""
    zone = rules.zone
    periods = [p for p in rules.periods if service_date.isoweekday() in p.weekdays]
    spans: list[datetime] = []
    for period in periods:
        spans.append(datetime.combine(service_date, period.first_seating, tzinfo=zone))
        last = datetime.combine(service_date, period.last_seating, tzinfo=zone)
        spans.append(last + timedelta(minutes=turn_minutes))
    for booking in bookings:
        spans += [booking.start_at, max(booking.end_at, booking.held_until or booking.end_at)]
    if not spans:
        spans = [
            datetime.combine(service_date, DEFAULT_OPENS, tzinfo=zone),
            datetime.combine(service_date, DEFAULT_CLOSES, tzinfo=zone),
        ]
    return min(spans).astimezone(UTC), max(spans).astimezone(UTC)


def _longest_turn(head: dict[str, Any], rules: ServiceRules) -> int:
    turns = [int(rule["minutes"]) for rule in head["turn_minutes"]]
    for period in rules.periods:
        turns += [rule.minutes for rule in period.turn_minutes or ()]
    return max(turns, default=120)


def _closure(rules: ServiceRules, service_date: date) -> str | None:
    closure = next((c for c in rules.closures if c.date == service_date), None)
    if closure is None:
        return None
    return closure.reason or "closed"


def _booking(row: dict[str, Any], now: datetime, buffer: timedelta) -> TimelineBooking:
    turn_end = max(row["start_at"], row["end_at"] - buffer)
    overstaying = row["status"] == "seated" and row["left_at"] is None and turn_end <= now
    return TimelineBooking(
        id=row["id"],
        ref=row["ref"],
        party_size=row["party_size"],
        start_at=row["start_at"],
        end_at=row["end_at"],
        turn_end=turn_end,
        status=row["status"],
        assignment_state=row["assignment_state"],
        review_reason=row["review_reason"],
        source=row["source"],
        pinned=row["pinned"],
        seated_at=row["seated_at"],
        left_at=row["left_at"],
        tables=tuple(row["tables"]),
        last_tables=tuple(row["last_tables"]),
        held_until=row["held_until"],
        overstaying=overstaying,
        no_show=row["status"] == "no_show",
    )


def _table(row: dict[str, Any]) -> TimelineTable:
    return TimelineTable(
        key=row["key"], seats=row["capacity"], zone=row["zone"], zone_name=row["zone_name"]
    )


def _table_order(table: TimelineTable) -> tuple[str, list[Any]]:
    """Zone, then key in natural order (T2 before T10)."""
    parts = re.split(r"(\d+)", table.key)
    return table.zone, [int(part) if part.isdigit() else part for part in parts]


def _hold(row: dict[str, Any]) -> TimelineHold:
    return TimelineHold(
        id=row["id"],
        booking_id=row["booking_id"],
        start_at=row["start_at"],
        end_at=row["end_at"],
        expires_at=row["expires_at"],
        tables=tuple(row["tables"]),
    )


def _block(row: dict[str, Any]) -> TimelineBlock:
    return TimelineBlock(
        id=row["id"],
        table=row["table_key"],
        start_at=row["start_at"],
        end_at=row["end_at"],
        reason=row["reason"],
    )


async def _one(conn: Connection, name: str, params: dict[str, Any]) -> dict[str, Any] | None:
    return await (await conn.execute(query(name), params)).fetchone()


async def _all(conn: Connection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return await (await conn.execute(query(name), params)).fetchall()
