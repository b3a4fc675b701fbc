"""The field types of seatflow documents: one set of limits for every way a floor comes in.

The limits match the database's CHECKs (slug pattern, capacity >= 1, min_party >= 1,
max_tables_per_booking 1..8, buffer >= 0) and keep every number inside PostgreSQL's integer;
strings PostgreSQL cannot store (NUL) are refused here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, StrictInt

__all__ = [
    "MAX_MINUTES",
    "SLUG_PATTERN",
    "Capacity",
    "ClockTime",
    "Day",
    "Key",
    "Minutes",
    "Slug",
    "Text",
    "Timestamp",
    "TimeZone",
]

#: The restaurants.slug CHECK of the schema.
SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
#: Far above any real floor, well inside PostgreSQL's integer.
MAX_COUNT = 100_000
#: A day: no turn or buffer is longer.
MAX_MINUTES = 24 * 60


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown IANA time zone {value!r}, e.g. Europe/Paris") from None
    return value


def _timestamp(value: object) -> datetime:
    """An ISO-8601 string with a UTC offset: no epoch numbers, no naive local times."""
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO-8601 timestamp string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO-8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2026-12-05T19:00:00Z")
    return parsed


_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _clock_time(value: object) -> time:
    """A local wall-clock time written "HH:MM" (24-hour), nothing else."""
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(f'must be a local time "HH:MM" (00:00 to 23:59), got {value!r}')
    return time(int(value[:2]), int(value[3:]))


def _day(value: object) -> date:
    """A calendar date written "YYYY-MM-DD"."""
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError(f'must be a date "YYYY-MM-DD", got {value!r}')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a calendar date: {value!r}") from None


Text = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
Key = Annotated[
    str, Field(min_length=1, max_length=200), AfterValidator(_no_nul), AfterValidator(_not_blank)
]
Slug = Annotated[str, Field(max_length=200, pattern=SLUG_PATTERN)]
TimeZone = Annotated[Text, AfterValidator(_time_zone), Field(description="An IANA time zone.")]
Capacity = Annotated[StrictInt, Field(ge=1, le=MAX_COUNT)]
Minutes = Annotated[StrictInt, Field(ge=1, le=MAX_MINUTES)]
Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]
ClockTime = Annotated[
    time,
    BeforeValidator(_clock_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json"),
]
Day = Annotated[date, BeforeValidator(_day)]
