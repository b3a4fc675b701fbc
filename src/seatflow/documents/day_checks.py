"""Checks across fields of a service-day document — what no field's type can say: a period that
ends before it starts, events about bookings or tables the file lacks, events out of order.

Like `checks`, they read the raw document so every problem is reported at once, and skip
whatever is malformed (its own error is reported already).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from seatflow.documents.checks import Found, _Keys, _objects, _text, _unique_keys

__all__ = ["event_problems", "rules_problems", "walk_in_problems"]


def rules_problems(raw: object) -> list[Found]:
    """In a restaurant (or a rules body): period keys unique, last seating not before the first,
    closure dates unique."""
    if not isinstance(raw, dict):
        return []
    periods = raw.get("service_periods")
    found = list(_unique_keys(periods, "service_periods", "service period key").problems)
    for i, period in _objects(periods):
        first, last = period.get("first_seating"), period.get("last_seating")
        if (
            isinstance(first, str)
            and isinstance(last, str)
            and _is_clock(first, last)
            and last < first
        ):
            reason = f"last_seating {last} is before first_seating {first}"
            found.append((("service_periods", i, "last_seating"), reason))
    seen: set[str] = set()
    for i, closure in _objects(raw.get("closures")):
        day = _text(closure, "date")
        if day is not None and day in seen:
            found.append((("closures", i, "date"), f"duplicate closure date {day!r}"))
        seen.add(day or "")
    return found


def walk_in_problems(bookings: object) -> list[Found]:
    """A walk-in is at the door: it is requested when it starts."""
    found: list[Found] = []
    for i, booking in _objects(bookings):
        if booking.get("source") != "walk_in":
            continue
        requested, start = _when(booking, "requested_at"), _when(booking, "start_at")
        if requested is not None and start is not None and requested != start:
            reason = f"a walk-in is requested when it starts ({booking['start_at']})"
            found.append((("bookings", i, "requested_at"), reason))
    return found


def event_problems(document: dict[str, Any]) -> list[Found]:
    """Events in time order, each about a booking or table of the file, a window that ends
    after it starts, a modification that changes something."""
    restaurant = document.get("restaurant")
    tables = _unique_keys(
        restaurant.get("tables") if isinstance(restaurant, dict) else None, "tables", "table"
    )
    refs = _unique_keys(document.get("bookings"), "bookings", "ref", field="ref")
    found: list[Found] = []
    previous: datetime | None = None
    for i, event in _objects(document.get("events")):
        at = _when(event, "at")
        if at is not None and previous is not None and at < previous:
            found.append((("events", i, "at"), f"events must be sorted by at; {at} is earlier"))
        previous = at or previous
        found += _event_problems(i, event, refs.keys if refs.complete else None, tables)
    return found


def _event_problems(
    i: int, event: dict[str, Any], refs: set[str] | None, tables: _Keys
) -> list[Found]:
    found: list[Found] = []
    kind, ref, table = event.get("type"), _text(event, "ref"), _text(event, "table")
    if ref is not None and refs is not None and ref not in refs:
        found.append((("events", i, "ref"), f"unknown booking ref {ref!r}"))
    if kind == "table_out" and table is not None and tables.complete and table not in tables.keys:
        found.append((("events", i, "table"), f"unknown table {table!r}"))
    start, until = _when(event, "from"), _when(event, "until")
    if kind == "table_out" and start is not None and until is not None and until <= start:
        found.append((("events", i, "until"), f"must be after from ({event['from']})"))
    unchanged = event.get("party_size") is None and event.get("start_at") is None
    if kind == "modify" and unchanged:
        found.append((("events", i), "a modify event needs party_size and/or start_at"))
    return found


def _is_clock(*values: str) -> bool:
    """ "HH:MM" strings compare as times; anything else has its own error."""
    return all(len(v) == 5 and v[2] == ":" for v in values)


def _when(item: dict[str, Any], name: str) -> datetime | None:
    value = item.get(name)
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
