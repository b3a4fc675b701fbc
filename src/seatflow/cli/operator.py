"""What the operator's commands (`bookings`, `review`, `timeline`) share: their options, reading a
date and a booking id, and the short id every listing prints.

A booking is named by its id, or by a prefix of it of at least `MIN_PREFIX` characters (the short
id the listings and the timeline print) when exactly one booking has it. `--restaurant SLUG` on a
command that takes an id confines it to that restaurant: another restaurant's booking is "not
found", as the API answers a restaurant key.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date, datetime
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

import typer

from seatflow.errors import InvalidInput, NotFound
from seatflow.store.database import Connection
from seatflow.store.operator import bookings_by_prefix

__all__ = [
    "MIN_PREFIX",
    "DateOption",
    "OnlyRestaurantOption",
    "RestaurantOption",
    "find_booking",
    "local_time",
    "parse_day",
    "short_id",
]

#: Characters of a booking id the listings print, and the fewest a command accepts.
SHORT_ID = 8
MIN_PREFIX = 6
_PREFIX = re.compile(r"^[0-9a-f-]+$")

RestaurantOption = Annotated[str, typer.Option(help="The restaurant (slug).", show_default=False)]
OnlyRestaurantOption = Annotated[
    str | None,
    typer.Option(help="Only this restaurant (slug): another restaurant's booking is not found."),
]
DateOption = Annotated[
    str,
    typer.Option(
        "--date",
        help="The service date, YYYY-MM-DD, in the restaurant's time zone.",
        show_default=False,
    ),
]


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("--date", f"want a date like 2026-12-24; got {text!r}") from None


def short_id(booking_id: UUID) -> str:
    return str(booking_id)[:SHORT_ID]


def local_time(moment: datetime | None, timezone: str, fmt: str = "%H:%M") -> str:
    return "" if moment is None else moment.astimezone(ZoneInfo(timezone)).strftime(fmt)


async def find_booking(conn: Connection, text: str, restaurant: str | None) -> tuple[UUID, str]:
    """(id, restaurant slug) of the booking `text` names; InvalidInput for something that is no
    id, NotFound for none (or one of another restaurant than `restaurant`), InvalidInput for an
    ambiguous prefix."""
    typed = text.strip().lower()
    if not _PREFIX.match(typed) or len(typed) < MIN_PREFIX:
        raise InvalidInput(
            "BOOKING", f"want a booking id or its first {MIN_PREFIX}+ characters; got {text!r}"
        )
    with suppress(ValueError):  # a whole id, however written; else a prefix
        typed = str(UUID(typed))
    found = [(i, s) for i, s in await bookings_by_prefix(conn, typed) if restaurant in (None, s)]
    if not found:
        where = f" at {restaurant}" if restaurant else ""
        raise NotFound(f"no booking {text}{where}")
    if len(found) > 1:
        raise InvalidInput("BOOKING", f"{text!r} is the start of several bookings: type more")
    return found[0]
