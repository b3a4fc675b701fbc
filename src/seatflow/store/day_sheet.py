"""A day's totals beside its timeline: covers booked and seated, no-shows, cancellations, the
review queue, and the walk-ins turned away by reason.

Only walk-ins refused at the door are counted as turned away: the live service records each as a
`floor.walk_in_refused` event. An online request that was refused (409) never becomes a row —
the API answers it and logs it — so the database cannot say how many of those there were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.floor_timeline import FloorTimeline, day_bounds, load_timeline
from seatflow.store.queries import query

__all__ = ["DaySheet", "DayTotals", "day_totals", "load_day_sheet"]

#: Statuses whose covers the restaurant still expects, has seated, or has seen leave.
_BOOKED = frozenset({"pending", "confirmed", "seated", "completed", "no_show"})
_SEATED = frozenset({"seated", "completed"})


@dataclass(frozen=True, slots=True, kw_only=True)
class DayTotals:
    bookings: int
    covers_booked: int
    covers_seated: int
    parties_seated: int
    walk_ins: int
    no_shows: int
    cancelled: int
    in_review: int
    unplaced: int
    #: Walk-ins refused at the door, by reason (online refusals are not stored).
    turned_away: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class DaySheet:
    timeline: FloorTimeline
    totals: DayTotals


def day_totals(timeline: FloorTimeline, turned_away: dict[str, int] | None = None) -> DayTotals:
    """The totals of a timeline's bookings (pure: the web page and the CLI count alike)."""
    bookings = timeline.bookings
    booked = [b for b in bookings if b.status in _BOOKED]
    seated = [b for b in bookings if b.status in _SEATED]
    live = [b for b in bookings if b.status in ("pending", "confirmed")]
    return DayTotals(
        bookings=len(bookings),
        covers_booked=sum(b.party_size for b in booked),
        covers_seated=sum(b.party_size for b in seated),
        parties_seated=len(seated),
        walk_ins=sum(1 for b in bookings if b.source == "walk_in"),
        no_shows=sum(1 for b in bookings if b.no_show),
        cancelled=sum(1 for b in bookings if b.status == "cancelled"),
        in_review=sum(1 for b in bookings if b.in_review),
        unplaced=sum(1 for b in live if not b.tables),
        turned_away=dict(turned_away or {}),
    )


async def load_day_sheet(
    conn: Connection, restaurant_id: UUID, service_date: date, *, now: datetime | None = None
) -> DaySheet:
    """The timeline of the day and its totals, walk-ins refused that local day included."""
    timeline = await load_timeline(conn, restaurant_id, service_date, now=now)
    day_start, day_end = day_bounds(service_date, timeline.restaurant.timezone)
    params = {"restaurant_id": restaurant_id, "day_start": day_start, "day_end": day_end}
    rows = await (await conn.execute(query("walk_ins_refused"), params)).fetchall()
    refused = {row["reason"]: int(row["n"]) for row in rows}
    return DaySheet(timeline=timeline, totals=day_totals(timeline, refused))
