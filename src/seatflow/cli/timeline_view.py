"""The floor timeline drawn in a terminal: tables (grouped by zone) as rows, the service's time as
columns of `step` minutes, each booking a bar on each of its tables.

Pure: `layout` turns a `FloorTimeline` into bars on a grid (plain values, tested alone), `render`
turns the grid into rich text. A booking on joined tables shows on every one of them with the same
short id and the set (`T1+T2`); a party's bar covers its turn (the buffer after it is left blank),
a seated party's from the moment it sat; an overstay continues as `!` up to now; a no-show stays,
crossed out (`x`), on the tables it had; holds are `?`, blocks `/`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.text import Text

from seatflow.cli.operator import short_id
from seatflow.store.floor_timeline import FloorTimeline, TimelineBooking, TimelineTable

__all__ = [
    "STEPS",
    "Bar",
    "Layout",
    "Row",
    "layout",
    "legend",
    "name_width",
    "pick_step",
    "render",
]

#: Column widths in minutes, finest first: the finest that fits the terminal is chosen.
STEPS = (5, 10, 15, 20, 30, 60)

#: kind → (fill character, style). Painted in this order: later kinds cover earlier ones.
KINDS: dict[str, tuple[str, str]] = {
    "no_show": ("x", "red dim"),
    "hold": ("?", "yellow"),
    "block": ("/", "white on grey23"),
    "done": ("┄", "dim"),
    "booked": ("─", "green"),
    "seated": ("━", "bold blue"),
    "overstay": ("!", "bold red"),
}
_LEGEND = {
    "booked": "booked (not yet arrived)",
    "seated": "seated",
    "done": "left",
    "overstay": "overstaying (past its turn, still seated)",
    "no_show": "no-show (tables released)",
    "hold": "hold (tables leased, not yet confirmed)",
    "block": "table blocked",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    """Columns [start, end) of one row. Bars with the same `key` are one booking (or hold)."""

    start: int
    end: int
    kind: str
    label: str
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    zone: str
    table: str
    seats: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    start: datetime
    step_minutes: int
    columns: int
    timezone: str
    rows: tuple[Row, ...]
    #: The column of the current time, when it falls inside the grid.
    now_column: int | None
    #: Live bookings with no tables yet (waiting, in review): they have no row to sit on.
    unplaced: tuple[TimelineBooking, ...]


def pick_step(start: datetime, end: datetime, width: int) -> int:
    """The finest step whose columns for [start, end) fit in `width` characters."""
    minutes = max(1.0, (end - start).total_seconds() / 60)
    return next((s for s in STEPS if math.ceil(minutes / s) + 1 <= width), STEPS[-1])


def layout(timeline: FloorTimeline, step_minutes: int) -> Layout:
    tz = ZoneInfo(timeline.restaurant.timezone)
    step = timedelta(minutes=step_minutes)
    local = timeline.start.astimezone(tz)
    into = timedelta(minutes=(local.hour * 60 + local.minute) % step_minutes)
    start = local.replace(second=0, microsecond=0) - into
    columns = max(1, math.ceil((timeline.end - start) / step))

    def col(moment: datetime) -> int:
        return min(columns, max(0, math.floor((moment - start) / step)))

    def span(first: datetime, last: datetime) -> tuple[int, int]:
        begin = col(first)
        return begin, max(begin + 1, min(columns, math.ceil((last - start) / step)))

    bars: dict[str, list[Bar]] = {t.key: [] for t in timeline.tables}
    for table, kind, first, last, label, key in _pieces(timeline):
        if table in bars and last > start and col(first) < columns:
            begin, end = span(first, last)
            bars[table].append(Bar(start=begin, end=end, kind=kind, label=label, key=key))
    order = list(KINDS)
    rows = tuple(
        Row(
            zone=t.zone_name,
            table=t.key,
            seats=t.seats,
            bars=tuple(sorted(bars[t.key], key=lambda b: (order.index(b.kind), b.start))),
        )
        for t in timeline.tables
    )
    now = timeline.now
    in_grid = start <= now < start + columns * step
    return Layout(
        start=start,
        step_minutes=step_minutes,
        columns=columns,
        timezone=timeline.restaurant.timezone,
        rows=rows,
        now_column=col(now) if in_grid else None,
        unplaced=tuple(b for b in timeline.bookings if _unplaced(b)),
    )


Piece = tuple[str, str, datetime, datetime, str, str]


def _pieces(timeline: FloorTimeline) -> Iterator[Piece]:
    """(table, kind, from, to, label, key) of everything drawn on a table."""
    for b in timeline.bookings:
        yield from _booking_pieces(b, timeline.now)
    for hold in timeline.holds:
        for table in hold.tables:
            yield table, "hold", hold.start_at, hold.end_at, "hold", str(hold.id)
    for block in timeline.blocks:
        label = block.reason or "blocked"
        yield block.table, "block", block.start_at, block.end_at, label, str(block.id)


def _booking_pieces(b: TimelineBooking, now: datetime) -> Iterator[Piece]:
    tables = b.tables or (b.last_tables if b.no_show else ())
    label = f"{b.party_size}p {short_id(b.id)}" + (
        f" {'+'.join(tables)}" if len(tables) > 1 else ""
    )
    key = str(b.id)
    kind, first, last = _booking_span(b)
    if kind is None:
        return
    for table in tables:
        yield table, kind, first, last, label, key
        if b.overstaying and now > b.turn_end:
            yield table, "overstay", b.turn_end, now, "", key


def _booking_span(b: TimelineBooking) -> tuple[str | None, datetime, datetime]:
    if b.status == "no_show":
        return "no_show", b.start_at, b.turn_end
    if b.status == "completed":
        sat = b.seated_at or b.start_at
        return "done", sat, max(b.left_at or b.turn_end, sat)
    if b.status == "seated":
        sat = b.seated_at or b.start_at
        return "seated", sat, max(b.turn_end, sat)
    if b.status in ("pending", "confirmed"):
        return "booked", b.start_at, b.turn_end
    return None, b.start_at, b.start_at  # cancelled: nothing to draw


def _unplaced(b: TimelineBooking) -> bool:
    return b.status in ("pending", "confirmed") and not b.tables


def bar_text(bar: Bar) -> str:
    """The bar's characters: its label inside brackets, filled with its kind's character."""
    fill = KINDS[bar.kind][0]
    width = bar.end - bar.start
    if width < 3 or not bar.label:
        return fill * width
    return "[" + (bar.label + " " + fill * width)[: width - 2] + "]"


def render(grid: Layout) -> Group:
    """The grid as rich text: a time ruler, then zone by zone one line per table."""
    width = name_width(grid.rows)
    lines = [_ruler(grid, width)]
    zone = None
    for row in grid.rows:
        if row.zone != zone:
            zone = row.zone
            lines.append(Text(zone, style="bold underline"))
        lines.append(_row_text(grid, row, width))
    return Group(*lines)


def name_width(rows: Iterable[Row | TimelineTable]) -> int:
    """Characters before the grid: the longest `KEY (SEATS)` and a space."""
    return max((len(_name(r)) for r in rows), default=5) + 1


def _name(row: Row | TimelineTable) -> str:
    key = row.table if isinstance(row, Row) else row.key
    return f"{key} ({row.seats})"


def _moments(grid: Layout) -> list[datetime]:
    """The local time at the left edge of each column, and of the edge after the last."""
    tz, step = ZoneInfo(grid.timezone), timedelta(minutes=grid.step_minutes)
    return [(grid.start + i * step).astimezone(tz) for i in range(grid.columns + 1)]


def _ruler(grid: Layout, name_width: int) -> Text:
    """Hours as HH:MM when an hour is wide enough for it, else as HH; the now mark (▼)."""
    fmt = "%H:%M" if 60 // grid.step_minutes >= 6 else "%H"
    chars = [" "] * (grid.columns + 6)
    for index, moment in enumerate(_moments(grid)):
        label = f"{moment:{fmt}}"
        free = all(c == " " for c in chars[max(0, index - 1) : index + len(label) + 1])
        if moment.minute == 0 and free:
            chars[index : index + len(label)] = label
    now = grid.now_column
    if now is not None and chars[now] == " ":  # an hour's label wins: the rows show the line
        chars[now] = "▼"
    text = Text(" " * name_width + "".join(chars).rstrip(), style="dim")
    if now is not None:
        text.stylize("bold magenta", name_width + now, name_width + now + 1)
    return text


def _row_text(grid: Layout, row: Row, name_width: int) -> Text:
    marks = _moments(grid)[: grid.columns]
    cells = [("┊" if m.minute == 0 else "·", "grey37") for m in marks]
    if grid.now_column is not None and grid.now_column < grid.columns:
        cells[grid.now_column] = ("│", "bold magenta")
    for bar in row.bars:
        style = KINDS[bar.kind][1]
        for offset, char in enumerate(bar_text(bar)):
            cells[bar.start + offset] = (char, style)
    text = Text(_name(row).ljust(name_width))
    for char, style in cells:
        text.append(char, style=style)
    return text


def legend(grid: Layout) -> Text:
    """Which character is what, and how to read a bar."""
    text = Text("legend: ", style="bold")
    for kind, meaning in _LEGEND.items():
        char, style = KINDS[kind]
        text.append(char * 3, style=style)
        text.append(f" {meaning}   ")
    text.append("│", style="bold magenta")
    text.append(" now.  ")
    text.append(
        f"One column = {grid.step_minutes} min. A bar reads [party id]; a booking on joined "
        "tables shows on each of them with the set (6p 1a2b3c4d T1+T2). Times in "
        f"{grid.timezone}."
    )
    return text
