"""`seatflow bookings list|show|cancel`: the day's bookings, one booking with its history, and a
cancellation through the API's own path (`cli/api_bridge.py`).

`list` and `show` only read (the schema is checked, never migrated); `cancel` writes as the API's
`POST …/bookings/{id}/cancel` does, with the same refusals.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from seatflow.api import bookings as api_bookings
from seatflow.api.schemas import BookingOut
from seatflow.api.views import booking_view
from seatflow.cli.api_bridge import api_errors, operator_scope, operator_state
from seatflow.cli.booking_view import booking_detail, day_list, totals_line
from seatflow.cli.operator import (
    DateOption,
    OnlyRestaurantOption,
    RestaurantOption,
    find_booking,
    parse_day,
    short_id,
)
from seatflow.cli.runtime import connect, current_url, ready_url, settings_of
from seatflow.domain.states import BookingStatus
from seatflow.errors import InvalidInput
from seatflow.settings import Settings
from seatflow.store.bookings import require_booking
from seatflow.store.day_sheet import DaySheet, load_day_sheet
from seatflow.store.floors import load_floor

__all__ = ["app"]

app = typer.Typer(help="A restaurant's bookings: list, show, cancel.", no_args_is_help=True)
console = Console()

StatusOption = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        help="Only bookings in this status (repeatable): "
        + ", ".join(s.value for s in BookingStatus),
        show_default=False,
    ),
]


@app.command("list")
def list_command(
    ctx: typer.Context,
    restaurant: RestaurantOption,
    date_text: DateOption,
    status: StatusOption = None,
) -> None:
    """Every booking of the date (local), soonest first, with tables and state; then the totals."""
    day = parse_day(date_text)
    wanted = _statuses(status)
    url = current_url(settings_of(ctx))
    sheet = asyncio.run(_sheet(url, restaurant, day))
    shown = [b for b in sheet.timeline.bookings if not wanted or b.status in wanted]
    console.print(day_list(sheet.timeline, shown))
    if sheet.timeline.closed:
        console.print(f"closed that day: {sheet.timeline.closed}", style="bold yellow")
    console.print(totals_line(sheet.totals), soft_wrap=True)


@app.command("show")
def show_command(
    ctx: typer.Context,
    booking: Annotated[str, typer.Argument(help="The booking id, or its first 6+ characters.")],
    restaurant: OnlyRestaurantOption = None,
) -> None:
    """The booking as the API shows it, with every state change and every move (and why)."""
    url = current_url(settings_of(ctx))
    view, timezone = asyncio.run(_view(url, booking, restaurant))
    console.print(booking_detail(view, timezone))


@app.command("cancel")
def cancel_command(
    ctx: typer.Context,
    booking: Annotated[str, typer.Argument(help="The booking id, or its first 6+ characters.")],
    restaurant: OnlyRestaurantOption = None,
) -> None:
    """Cancel the booking: its tables and holds are released (as `POST …/cancel`). A seated,
    completed or no-show booking is refused; cancelling a cancelled one changes nothing."""
    settings = settings_of(ctx)
    url = ready_url(settings)
    view = asyncio.run(_cancel(settings, url, booking, restaurant))
    console.print(f"booking {short_id(view.id)} at {view.restaurant}: {view.status}")


def _statuses(given: list[str] | None) -> set[str]:
    known = {s.value for s in BookingStatus}
    for value in given or ():
        if value not in known:
            raise InvalidInput("--status", f"{value!r} is not one of {', '.join(sorted(known))}")
    return set(given or ())


async def _sheet(url: str, slug: str, day: date) -> DaySheet:
    async with connect(url) as conn:
        floor = await load_floor(conn, slug)
        return await load_day_sheet(conn, floor.restaurant_id, day)


async def _view(url: str, text: str, restaurant: str | None) -> tuple[BookingOut, str]:
    async with connect(url) as conn:
        booking_id, slug = await find_booking(conn, text, restaurant)
        floor = await load_floor(conn, slug)
        record = await require_booking(conn, booking_id)
        return await booking_view(conn, record, slug), floor.plan.timezone


async def _cancel(settings: Settings, url: str, text: str, restaurant: str | None) -> BookingOut:
    booking_id, slug = await _located(url, text, restaurant)
    async with operator_state(settings, url) as state:
        scope = await operator_scope(state, slug)
        with api_errors():
            return await api_bookings.cancel_booking(state, scope, booking_id)


async def _located(url: str, text: str, restaurant: str | None) -> tuple[UUID, str]:
    async with connect(url) as conn:
        return await find_booking(conn, text, restaurant)
