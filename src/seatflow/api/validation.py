"""Checks of a request against the restaurant's floor — what a schema alone cannot know."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from seatflow.api.errors import ApiError
from seatflow.domain.combinations import combinations_for, largest_party
from seatflow.domain.floor import FloorPlan

__all__ = [
    "MAX_AHEAD",
    "check_day",
    "check_party",
    "check_start",
    "check_tables",
    "check_zone",
    "invalid",
    "within_horizon",
]

#: How far ahead a booking may be made.
MAX_AHEAD = timedelta(days=366)
#: Time zones run from UTC-12 to UTC+14: a service day is "today" somewhere within a day of UTC.
_ZONE_SLACK = timedelta(days=1)


def invalid(field: str, detail: str) -> ApiError:
    return ApiError(422, "invalid_input", detail, field=field)


def check_party(floor: FloorPlan, party_size: int) -> None:
    largest = largest_party(floor)
    if party_size > largest:
        raise invalid("party_size", f"this floor seats parties of at most {largest}")


def check_start(start: datetime, now: datetime) -> None:
    if start <= now:
        raise invalid("start_at", "is in the past")
    if start > now + MAX_AHEAD:
        raise invalid("start_at", f"is more than {MAX_AHEAD.days} days ahead")


def check_day(day: date, now: datetime) -> None:
    """A service day that could hold a bookable start: from yesterday (today in some time zone)
    to the booking horizon — and so never one whose times overflow `datetime`."""
    today = now.date()
    if day < today - _ZONE_SLACK:
        raise invalid("date", "is in the past")
    if day > (now + MAX_AHEAD + _ZONE_SLACK).date():
        raise invalid("date", f"is more than {MAX_AHEAD.days} days ahead")


def within_horizon(starts: Sequence[datetime], now: datetime) -> list[datetime]:
    """The starts a booking could take: none beyond MAX_AHEAD, as `check_start` refuses them."""
    return [start for start in starts if start <= now + MAX_AHEAD]


def check_zone(floor: FloorPlan, zone: str | None) -> None:
    keys = [z.key for z in floor.zones]
    if zone is not None and zone not in keys:
        raise invalid("zone_preference", f"unknown zone; this floor has {', '.join(keys)}")


def check_tables(floor: FloorPlan, tables: Sequence[str], party_size: int) -> tuple[str, ...]:
    """The sorted keys, when they are real tables forming one valid seating for the party.

    Valid means what the planners obey: one of the floor's combinations that seat the party
    (one table in its size range, or adjacent combinable tables of one zone with enough seats).
    """
    for index, key in enumerate(tables):
        if key not in floor.table_keys:
            raise invalid(f"tables[{index}]", "unknown table")
        if key in tables[:index]:
            raise invalid(f"tables[{index}]", "listed twice")
    chosen = tuple(sorted(tables))
    if chosen not in {c.tables for c in combinations_for(floor, party_size)}:
        raise invalid(
            "tables",
            f"{', '.join(chosen)} cannot seat a party of {party_size} together: one table must "
            "fit the party; joined tables must be combinable, adjacent, in one zone, and within "
            f"{floor.policy.max_tables_per_booking} tables",
        )
    return chosen
