"""The terminal floor timeline, laid out and drawn from plain values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from rich.console import Console

from seatflow.cli.timeline_view import Bar, bar_text, layout, legend, pick_step, render
from seatflow.store.floor_timeline import (
    FloorTimeline,
    TimelineBlock,
    TimelineBooking,
    TimelineHold,
    TimelineRestaurant,
    TimelineTable,
)

DAY = date(2026, 12, 8)
T0 = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _booking(n: int, start: int, tables: tuple[str, ...], **extra: object) -> TimelineBooking:
    values: dict[str, object] = {
        "id": UUID(int=n),
        "ref": None,
        "party_size": 2,
        "start_at": _at(start),
        "end_at": _at(start + 105),
        "turn_end": _at(start + 90),
        "status": "confirmed",
        "assignment_state": "confirmed",
        "review_reason": None,
        "source": "online",
        "pinned": False,
        "seated_at": None,
        "left_at": None,
        "tables": tables,
        "last_tables": tables,
        "held_until": _at(start + 105) if tables else None,
        "overstaying": False,
        "no_show": False,
    }
    values.update(extra)
    return TimelineBooking(**values)  # type: ignore[arg-type]


def _timeline(
    *bookings: TimelineBooking, now: datetime | None = None, **extra: object
) -> FloorTimeline:
    values: dict[str, object] = {
        "restaurant": TimelineRestaurant(
            id=UUID(int=99), slug="r", name="R", timezone="UTC", buffer_minutes=15
        ),
        "date": DAY,
        "start": _at(0),
        "end": _at(300),
        "now": now or _at(150),
        "closed": None,
        "tables": (
            TimelineTable(key="T1", seats=4, zone="main", zone_name="Main"),
            TimelineTable(key="T2", seats=4, zone="main", zone_name="Main"),
            TimelineTable(key="W1", seats=2, zone="window", zone_name="Window"),
        ),
        "bookings": bookings,
        "holds": (),
        "blocks": (),
    }
    values.update(extra)
    return FloorTimeline(**values)  # type: ignore[arg-type]


def _bars(timeline: FloorTimeline, table: str, step: int = 15) -> list[Bar]:
    grid = layout(timeline, step)
    return list(next(r for r in grid.rows if r.table == table).bars)


def _text(timeline: FloorTimeline, step: int = 15) -> str:
    console = Console(width=200, no_color=True, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    grid = layout(timeline, step)
    console.print(render(grid), soft_wrap=True)
    console.print(legend(grid))
    return console.export_text()


def test_a_booking_is_a_bar_over_its_turn() -> None:
    """A 90-minute turn from 18:30 on a 15-minute grid covers columns 2 to 8."""
    [bar] = _bars(_timeline(_booking(1, 30, ("T1",))), "T1")
    assert (bar.start, bar.end, bar.kind) == (2, 8, "booked")
    assert bar.label == "2p 00000000"


def test_joined_tables_show_one_booking_on_each() -> None:
    """A booking on T1+T2 is the same bar (same key, label naming the set) on both rows."""
    timeline = _timeline(_booking(1, 0, ("T1", "T2"), party_size=6))
    [one], [two] = _bars(timeline, "T1"), _bars(timeline, "T2")
    assert one == two
    assert one.label == "6p 00000000 T1+T2"
    assert _bars(timeline, "W1") == []


def test_overstay_continues_to_now() -> None:
    """A seated party past its turn is drawn seated, then `overstay` from its turn's end to now."""
    seated = _booking(1, 0, ("W1",), status="seated", seated_at=_at(10), overstaying=True)
    bars = _bars(_timeline(seated, now=_at(120)), "W1")
    assert [(b.kind, b.start, b.end) for b in bars] == [("seated", 0, 6), ("overstay", 6, 8)]
    assert "!!" in _text(_timeline(seated, now=_at(120)))


def test_no_show_stays_on_its_last_tables() -> None:
    """A no-show has no live tables but is drawn, crossed out, where it was."""
    gone = _booking(1, 0, (), last_tables=("T2",), status="no_show", no_show=True)
    [bar] = _bars(_timeline(gone), "T2")
    assert bar.kind == "no_show"
    assert layout(_timeline(gone), 15).unplaced == ()


def test_cancelled_is_not_drawn_and_unplaced_is_listed() -> None:
    """A cancelled booking takes no room; a live one without tables is listed apart."""
    cancelled = _booking(1, 0, (), last_tables=("T1",), status="cancelled")
    waiting = _booking(2, 60, (), assignment_state="manual_review", review_reason="too_big")
    grid = layout(_timeline(cancelled, waiting), 15)
    assert all(row.bars == () for row in grid.rows)
    assert [b.id for b in grid.unplaced] == [UUID(int=2)]


def test_holds_and_blocks_are_marked() -> None:
    """A hold on two tables marks both; a block marks its table, labelled with its reason."""
    hold = TimelineHold(
        id=UUID(int=7), booking_id=UUID(int=8), start_at=_at(60), end_at=_at(120),
        expires_at=_at(61), tables=("T1", "T2"),
    )  # fmt: skip
    block = TimelineBlock(
        id=UUID(int=9), table="W1", start_at=_at(0), end_at=_at(300), reason="leg"
    )
    timeline = _timeline(holds=(hold,), blocks=(block,))
    assert [(b.kind, b.start, b.end) for b in _bars(timeline, "T1")] == [("hold", 4, 8)]
    [blocked] = _bars(timeline, "W1")
    assert (blocked.kind, blocked.start, blocked.end, blocked.label) == ("block", 0, 20, "leg")
    text = _text(timeline, step=5)
    assert "[hold ?" in text and "[leg /" in text


def test_bars_outside_the_window_are_clipped() -> None:
    """A booking running past the window's end stops at the last column."""
    [bar] = _bars(_timeline(_booking(1, 270, ("T1",))), "T1")
    assert (bar.start, bar.end) == (18, 20)


def test_now_column_and_grid_start_on_the_step() -> None:
    """The grid starts on a whole step of local time; now is a column inside it."""
    timeline = _timeline(start=_at(7), now=_at(65))
    grid = layout(timeline, 15)
    assert grid.start == _at(0)
    assert grid.now_column == 4
    assert layout(_timeline(now=_at(-60)), 15).now_column is None
    ruler = _text(_timeline(now=_at(40)), step=5).splitlines()[0]
    assert ruler.index("▼") == len("T1 (4) ") + 8 and "18:00" in ruler


def test_render_draws_zones_rows_and_ruler() -> None:
    """The text has the hour ruler, one line per table under its zone, and the bar's label."""
    text = _text(_timeline(_booking(1, 30, ("T1",))), step=5)
    lines = text.splitlines()
    assert "18:00" in lines[0] and "19:00" in lines[0]
    assert _text(_timeline(now=_at(-60)), step=15).splitlines()[0].split() == [
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
    ]
    assert lines[1].strip() == "Main"
    assert lines[2].startswith("T1 (4)") and "[2p 00000000" in lines[2]
    assert any(line.strip() == "Window" for line in lines)
    assert "legend" in text and "joined" in text


@pytest.mark.parametrize(
    ("label", "width", "kind", "expected"),
    [
        ("2p abc", 10, "booked", "[2p abc ─]"),
        ("2p abcdefgh", 6, "booked", "[2p a]"),
        ("2p abc", 2, "seated", "━━"),
        ("", 4, "overstay", "!!!!"),
    ],
)
def test_bar_text(label: str, width: int, kind: str, expected: str) -> None:
    """A bar is its label in brackets, filled with its kind's character; too short, just fill."""
    assert bar_text(Bar(start=0, end=width, kind=kind, label=label, key="k")) == expected


@pytest.mark.parametrize(
    ("hours", "width", "step"),
    [(5, 100, 5), (5, 40, 10), (8, 40, 15), (12, 30, 30), (24, 10, 60)],
)
def test_pick_step_fits_the_width(hours: int, width: int, step: int) -> None:
    """The finest step whose columns fit the terminal."""
    assert pick_step(_at(0), _at(hours * 60), width) == step


def test_timezone_of_the_restaurant_sets_the_ruler() -> None:
    """Hours on the ruler are the restaurant's local hours."""
    paris = replace(
        _timeline().restaurant, timezone="Europe/Paris"
    )  # UTC+1 in December: 18:00 UTC is 19:00 local
    text = _text(_timeline(restaurant=paris))
    assert text.splitlines()[0].split()[0] == "19"
