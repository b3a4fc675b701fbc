"""`seatflow review list|assign|requeue`: the bookings waiting for a human, and the two ways a
human resolves one — through the API's own functions (`cli/api_bridge.py`), so a manual seating
obeys the same seating rules, opening hours and table checks as `POST …/assign`.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from seatflow.api import review as api_review
from seatflow.api.schemas import AssignIn, BookingOut
from seatflow.cli.api_bridge import api_errors, operator_scope, operator_state
from seatflow.cli.operator import OnlyRestaurantOption, find_booking, local_time, short_id
from seatflow.cli.runtime import connect, current_url, ready_url, settings_of
from seatflow.errors import InvalidInput
from seatflow.settings import Settings
from seatflow.store.database import Connection
from seatflow.store.floors import list_restaurants, load_floor
from seatflow.store.reads import review_queue

__all__ = ["app"]

app = typer.Typer(help="The manual-review queue: list, assign, requeue.", no_args_is_help=True)
console = Console()

BookingArgument = Annotated[
    str, typer.Argument(help="The booking id, or its first 6+ characters.", show_default=False)
]


@app.command("list")
def list_command(ctx: typer.Context, restaurant: OnlyRestaurantOption = None) -> None:
    """Bookings waiting in manual review, soonest first, with the reason (every restaurant, or
    one with --restaurant)."""
    url = current_url(settings_of(ctx))
    rows = asyncio.run(_queue(url, restaurant))
    table = Table("restaurant", "start", "id", "party", "zone", "reason", "waiting since")
    for row in rows:
        tz = row["timezone"]
        table.add_row(
            row["slug"],
            local_time(row["start_at"], tz, "%a %d %b %H:%M"),
            short_id(row["id"]),
            str(row["party_size"]),
            row["zone_preference"] or "",
            row["review_reason"] or "",
            local_time(row["updated_at"], tz, "%d %b %H:%M"),
        )
    table.title = f"Manual review: {len(rows)} booking{'s' * (len(rows) != 1)}"
    console.print(table)


@app.command("assign")
def assign_command(
    ctx: typer.Context,
    booking: BookingArgument,
    tables: Annotated[
        str, typer.Option(help="The tables, comma-separated: T4 or T4,T5.", show_default=False)
    ],
    restaurant: OnlyRestaurantOption = None,
) -> None:
    """Seat the booking on exactly these tables (as `POST …/assign`): they must be a valid
    seating for the party and free; the booking is then confirmed."""
    body = _assign_body(tables)
    settings = settings_of(ctx)
    url = ready_url(settings)
    view = asyncio.run(_act(settings, url, booking, restaurant, body))
    _done(view)


@app.command("requeue")
def requeue_command(
    ctx: typer.Context, booking: BookingArgument, restaurant: OnlyRestaurantOption = None
) -> None:
    """Send the booking back to the pipeline (as `POST …/requeue`): tables released, state
    `assignment_pending`, a fresh job for the workers."""
    settings = settings_of(ctx)
    url = ready_url(settings)
    view = asyncio.run(_act(settings, url, booking, restaurant, None))
    _done(view)


def _assign_body(text: str) -> AssignIn:
    keys = [key.strip() for key in text.split(",")]
    if not all(keys):
        raise InvalidInput("--tables", f"want table keys separated by commas; got {text!r}")
    try:
        return AssignIn(tables=keys)
    except ValidationError as exc:
        raise InvalidInput("--tables", exc.errors()[0]["msg"]) from None


def _done(view: BookingOut) -> None:
    tables = "+".join(view.tables) or "no tables"
    console.print(
        f"booking {short_id(view.id)} at {view.restaurant}: {view.status}, "
        f"{view.assignment_state}, {tables}"
    )


async def _queue(url: str, restaurant: str | None) -> list[dict[str, Any]]:
    async with connect(url) as conn:
        if restaurant is not None:
            slugs = [(await load_floor(conn, restaurant)).plan.slug]
        else:
            slugs = [row["slug"] for row in await list_restaurants(conn)]
        return [row for slug in slugs for row in await _queue_of(conn, slug)]


async def _queue_of(conn: Connection, slug: str) -> list[dict[str, Any]]:
    floor = await load_floor(conn, slug)
    rows = await review_queue(conn, floor.restaurant_id)
    return [{**row, "slug": slug, "timezone": floor.plan.timezone} for row in rows]


async def _act(
    settings: Settings, url: str, text: str, restaurant: str | None, body: AssignIn | None
) -> BookingOut:
    """Assign (with `body`) or requeue (without), as the routes do."""
    async with connect(url) as conn:
        booking_id, slug = await find_booking(conn, text, restaurant)
    async with operator_state(settings, url) as state:
        scope = await operator_scope(state, slug)
        with api_errors():
            if body is not None:
                return await api_review.assign_tables(state, scope, booking_id, body)
            return await api_review.requeue_booking(state, scope, booking_id, None)
