"""`seatflow timeline --restaurant SLUG --date D`: the floor timeline of a service in the terminal,
for a host without a browser or over SSH. Only reads (the schema is checked, never migrated)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from seatflow.cli.booking_view import totals_line
from seatflow.cli.operator import DateOption, RestaurantOption, local_time, parse_day, short_id
from seatflow.cli.runtime import connect, current_url, settings_of
from seatflow.cli.timeline_view import STEPS, layout, legend, name_width, pick_step, render
from seatflow.errors import InvalidInput
from seatflow.store.day_sheet import DaySheet, load_day_sheet
from seatflow.store.floors import load_floor

__all__ = ["timeline_command"]

console = Console()


def timeline_command(
    ctx: typer.Context,
    restaurant: RestaurantOption,
    date_text: DateOption,
    step: Annotated[
        int | None,
        typer.Option(
            help=f"Minutes per column, one of {', '.join(map(str, STEPS))}.",
            show_default="the finest that fits the terminal",
        ),
    ] = None,
) -> None:
    """Draw a service's floor timeline: tables by zone × time, each booking a bar.

    Joined tables show one booking; holds, blocks, overstays and no-shows are marked, the
    current time is a line; then the bookings still without tables, the day's totals and a
    legend. Only reads: the database is never migrated."""
    day = parse_day(date_text)
    if step is not None and step not in STEPS:
        raise InvalidInput("--step", f"want one of {', '.join(map(str, STEPS))}; got {step}")
    url = current_url(settings_of(ctx))
    sheet = asyncio.run(_sheet(url, restaurant, day))
    timeline = sheet.timeline
    width = console.width - name_width(timeline.tables) - 1
    chosen = step or pick_step(timeline.start, timeline.end, width)
    grid = layout(timeline, chosen)
    tz = timeline.restaurant.timezone
    console.print(
        f"[bold]{timeline.restaurant.name}[/] ({timeline.restaurant.slug}) — "
        f"{timeline.date:%a %d %b %Y}, {local_time(timeline.start, tz)}–"
        f"{local_time(timeline.end, tz)} {tz}",
        highlight=False,
    )
    if timeline.closed:
        console.print(f"closed that day: {timeline.closed}", style="bold yellow")
    console.print(render(grid), soft_wrap=True, crop=False)
    for booking in grid.unplaced:
        why = f"in review: {booking.review_reason}" if booking.in_review else "waiting for tables"
        console.print(
            f"  no tables: {booking.party_size}p {short_id(booking.id)} at "
            f"{local_time(booking.start_at, tz)} ({why})",
            highlight=False,
        )
    console.print(totals_line(sheet.totals), soft_wrap=True, highlight=False)
    console.print(legend(grid), highlight=False)


async def _sheet(url: str, slug: str, day: date) -> DaySheet:
    async with connect(url) as conn:
        floor = await load_floor(conn, slug)
        return await load_day_sheet(conn, floor.restaurant_id, day)
