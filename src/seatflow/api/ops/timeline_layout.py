"""The floor timeline laid out for the browser: every bar's horizontal position as percentages of
the service window and its vertical span in table rows, computed here so the page is positioned
divs and CSS alone (no drawing script). Pure: a `FloorTimeline` in, a `Layout` out.

A booking on joined tables is one bar spanning their rows when they are neighbours in the list
(the usual case: joined tables share a zone and sort together), else one bar per run of rows,
each labelled with the whole set. A no-show stays drawn, struck through, on the tables it was
last given; a cancelled booking is not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from seatflow.store.floor_timeline import (
    FloorTimeline,
    TimelineBlock,
    TimelineBooking,
    TimelineHold,
    TimelineTable,
)

__all__ = ["Bar", "Layout", "ZoneBlock", "lay_out"]

_DRAWN_WITHOUT_TABLES = frozenset({"no_show"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    kind: str  # booking | hold | block
    left: float  # % of the window
    width: float  # % of the window
    row: int  # first table row within the zone
    rows: int  # how many rows it spans
    label: str
    title: str
    classes: str
    booking_id: str | None = None
    tables: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneBlock:
    name: str
    tables: tuple[TimelineTable, ...]
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    zones: tuple[ZoneBlock, ...]
    ticks: tuple[tuple[float, str], ...]
    now: float | None
    #: Open bookings of the day with no tables: in review, or not placed yet.
    unplaced: tuple[TimelineBooking, ...]


@dataclass(frozen=True, slots=True)
class _Scale:
    start: datetime
    span: float  # seconds

    def at(self, moment: datetime) -> float:
        share = (moment - self.start).total_seconds() / self.span
        return round(min(max(share, 0.0), 1.0) * 100, 3)

    def width(self, begin: datetime, end: datetime) -> float:
        return round(max(self.at(end) - self.at(begin), 0.4), 3)


def lay_out(timeline: FloorTimeline) -> Layout:
    scale = _Scale(timeline.start, max((timeline.end - timeline.start).total_seconds(), 60.0))
    zones = tuple(
        _zone(timeline, scale, tuple(tables))
        for _, tables in groupby(timeline.tables, key=lambda t: t.zone)
    )
    now = scale.at(timeline.now) if timeline.start <= timeline.now <= timeline.end else None
    unplaced = tuple(
        b for b in timeline.bookings if not b.tables and b.status in ("pending", "confirmed")
    )
    return Layout(zones=zones, ticks=_ticks(timeline, scale), now=now, unplaced=unplaced)


def _zone(timeline: FloorTimeline, scale: _Scale, tables: tuple[TimelineTable, ...]) -> ZoneBlock:
    rows = {table.key: index for index, table in enumerate(tables)}
    timezone = timeline.restaurant.timezone
    bars: list[Bar] = []
    for booking in timeline.bookings:
        bars += _booking_bars(booking, rows, scale, timezone, timeline.now)
    for hold in timeline.holds:
        bars += _hold_bars(hold, rows, scale, timezone)
    bars += [_block_bar(block, rows, scale) for block in timeline.blocks if block.table in rows]
    return ZoneBlock(name=tables[0].zone_name, tables=tables, bars=tuple(bars))


def _hold_bars(hold: TimelineHold, rows: dict[str, int], scale: _Scale, timezone: str) -> list[Bar]:
    """A hold: tables leased for a moment while a booking is being placed."""
    return [
        Bar(
            kind="hold",
            left=scale.at(hold.start_at),
            width=scale.width(hold.start_at, hold.end_at),
            row=row,
            rows=span,
            label="hold",
            title=f"hold until {_hm(hold.expires_at, timezone)}",
            classes="bar hold",
            booking_id=str(hold.booking_id),
            tables=hold.tables,
        )
        for row, span in _runs(hold.tables, rows)
    ]


def _block_bar(block: TimelineBlock, rows: dict[str, int], scale: _Scale) -> Bar:
    return Bar(
        kind="block",
        left=scale.at(block.start_at),
        width=scale.width(block.start_at, block.end_at),
        row=rows[block.table],
        rows=1,
        label=block.reason or "blocked",
        title=f"table {block.table} blocked: {block.reason or 'no reason given'}",
        classes="bar block",
        tables=(block.table,),
    )


def _booking_bars(
    booking: TimelineBooking, rows: dict[str, int], scale: _Scale, timezone: str, now: datetime
) -> list[Bar]:
    tables = booking.tables
    if not tables and booking.status in _DRAWN_WITHOUT_TABLES:
        tables = booking.last_tables
    if not tables or booking.status == "cancelled":
        return []
    end = max(booking.end_at, booking.held_until or booking.end_at)
    if booking.overstaying:  # still at the table: the bar reaches the present at least
        end = max(end, now)
    joined = "+".join(tables)
    label = f"{booking.party_size}p {_hm(booking.start_at, timezone)}"
    if len(tables) > 1:
        label += f" · {joined}"
    title = (
        f"{booking.ref or str(booking.id)[:8]}: {booking.party_size} guests "
        f"{_hm(booking.start_at, timezone)}–{_hm(booking.turn_end, timezone)} on {joined}, "
        f"{booking.status} ({booking.source})"
    )
    return [
        Bar(
            kind="booking",
            left=scale.at(booking.start_at),
            width=scale.width(booking.start_at, end),
            row=row,
            rows=span,
            label=label,
            title=title,
            classes=_classes(booking),
            booking_id=str(booking.id),
            tables=tables,
        )
        for row, span in _runs(tables, rows)
    ]


def _classes(booking: TimelineBooking) -> str:
    names = ["bar", "booking", f"status-{booking.status}", f"source-{booking.source}"]
    flags = {
        "joined": len(booking.tables or booking.last_tables) > 1,
        "overstay": booking.overstaying,
        "no-show": booking.no_show,
        "pinned": booking.pinned,
        "review": booking.in_review,
    }
    return " ".join(names + [name for name, on in flags.items() if on])


def _runs(tables: tuple[str, ...], rows: dict[str, int]) -> list[tuple[int, int]]:
    """The rows of these tables as (first row, length) runs of neighbours, top first."""
    indices = sorted(rows[key] for key in tables if key in rows)
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][0] + runs[-1][1] == index:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((index, 1))
    return runs


def _ticks(timeline: FloorTimeline, scale: _Scale) -> tuple[tuple[float, str], ...]:
    """Every full hour of the window on the restaurant's clock."""
    zone = ZoneInfo(timeline.restaurant.timezone)
    local = timeline.start.astimezone(zone)
    tick = local.replace(minute=0, second=0, microsecond=0)
    if tick < local:
        tick += timedelta(hours=1)
    ticks: list[tuple[float, str]] = []
    while tick <= timeline.end:
        ticks.append((scale.at(tick), tick.strftime("%H:%M")))
        tick += timedelta(hours=1)
    return tuple(ticks)


def _hm(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M")
