"""Bookings drawn for the terminal: the day's list with its totals, and one booking with its
history. Pure: values in, rich renderables out. No guest contact details — the records carry none.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from seatflow.api.schemas import BookingOut
from seatflow.cli.operator import local_time, short_id
from seatflow.store.day_sheet import DayTotals
from seatflow.store.floor_timeline import FloorTimeline, TimelineBooking

__all__ = ["booking_detail", "day_list", "notes_of", "totals_line"]

_STATUS_STYLE = {
    "pending": "yellow",
    "confirmed": "green",
    "seated": "bold blue",
    "completed": "dim",
    "cancelled": "dim strike",
    "no_show": "red",
}


def notes_of(booking: TimelineBooking) -> str:
    """What a host should notice about a booking, in a few words."""
    notes = []
    if booking.overstaying:
        notes.append("overstaying")
    if booking.in_review:
        notes.append(f"review: {booking.review_reason or 'no reason given'}")
    if booking.pinned:
        notes.append("pinned")
    if booking.no_show and booking.last_tables:
        notes.append(f"was on {'+'.join(booking.last_tables)}")
    return "; ".join(notes)


def day_list(timeline: FloorTimeline, bookings: Iterable[TimelineBooking]) -> Table:
    tz = timeline.restaurant.timezone
    table = Table(
        "time", "id", "party", "status", "assignment", "tables", "source", "notes",
        title=f"{timeline.restaurant.name} ({timeline.restaurant.slug}) — "
        f"{timeline.date:%a %d %b %Y}, times in {tz}",
    )  # fmt: skip
    for booking in bookings:
        table.add_row(
            local_time(booking.start_at, tz),
            short_id(booking.id),
            str(booking.party_size),
            Text(booking.status, style=_STATUS_STYLE.get(booking.status, "")),
            booking.assignment_state,
            "+".join(booking.tables) or "—",
            booking.source,
            notes_of(booking),
        )
    return table


def totals_line(totals: DayTotals) -> str:
    refused = ", ".join(f"{reason} {n}" for reason, n in sorted(totals.turned_away.items()))
    return (
        f"{totals.bookings} bookings · covers booked {totals.covers_booked} · seated "
        f"{totals.covers_seated} ({totals.parties_seated} parties) · no-shows {totals.no_shows} · "
        f"cancelled {totals.cancelled} · in review {totals.in_review} · without tables "
        f"{totals.unplaced} · walk-ins turned away: {refused or 'none'} "
        "(refused online requests are not stored)"
    )


def booking_detail(view: BookingOut, timezone: str) -> RenderableType:
    """The booking as the API shows it, then every state change and every move."""
    head = Table.grid(padding=(0, 2))
    for name, value in _fields(view, timezone):
        head.add_row(Text(name, style="bold"), value)
    history = Table("at", "from", "to", "reason", "by", title="State changes")
    for step in view.history:
        history.add_row(
            local_time(step.at, timezone, "%d %b %H:%M:%S"),
            step.from_state,
            step.to_state,
            step.reason or "",
            step.actor,
        )
    moves = Table("at", "from", "to", "reason", "by", title="Moves")
    for move in view.moves:
        moves.add_row(
            local_time(move.at, timezone, "%d %b %H:%M:%S"),
            "+".join(move.from_tables),
            "+".join(move.to_tables),
            move.reason or "",
            move.actor or "",
        )
    parts: list[RenderableType] = [head, history]
    parts.append(moves if view.moves else Text("no moves", style="dim"))
    return Group(*parts)


def _fields(view: BookingOut, tz: str) -> list[tuple[str, str]]:
    review = f" ({view.review_reason})" if view.review_reason else ""
    start = local_time(view.start_at, tz, "%Y-%m-%d %H:%M")
    sat = local_time(view.seated_at, tz) or "—"
    left = local_time(view.left_at, tz) or "—"
    return [
        ("booking", str(view.id)),
        ("restaurant", view.restaurant),
        ("when", f"{start}–{local_time(view.end_at, tz)} ({tz}; the end includes the buffer)"),
        ("party", str(view.party_size)),
        ("status", view.status),
        ("assignment", view.assignment_state + review),
        ("tables", "+".join(view.tables) or "—"),
        ("source", view.source + (" · pinned" if view.pinned else "")),
        ("seated / left", f"{sat} / {left}"),
    ]
