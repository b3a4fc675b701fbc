"""The timeline's layout: bars placed by time as percentages and by table rows, joined tables as
one bar, the now line, and what is not drawn."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from seatflow.api.ops.timeline_layout import lay_out
from seatflow.store.floor_timeline import TimelineBlock, TimelineHold
from unit.api.ops.kit import booking, hm, tables, timeline

FLOOR = tables("A", "B", "C") + tables("T1", "T2", zone="terrace")


def _bars(layout, kind="booking"):  # type: ignore[no-untyped-def]
    return [bar for zone in layout.zones for bar in zone.bars if bar.kind == kind]


def test_a_bar_spans_its_time_as_a_share_of_the_window() -> None:
    """19:00–20:45 in a 17:00–23:00 window: from 33.3 % for 29.2 %."""
    [bar] = _bars(lay_out(timeline(FLOOR, (booking(("B",)),))))
    assert (bar.left, bar.width) == (33.333, 29.167)
    assert (bar.row, bar.rows) == (1, 1)


def test_joined_neighbours_are_one_bar_spanning_their_rows() -> None:
    """B+C sit next to each other: one bar two rows high, marked joined, labelled with both."""
    [bar] = _bars(lay_out(timeline(FLOOR, (booking(("B", "C"), party_size=6),))))
    assert (bar.row, bar.rows, bar.tables) == (1, 2, ("B", "C"))
    assert "joined" in bar.classes and "B+C" in bar.label


def test_joined_tables_apart_are_one_bar_per_run_each_naming_the_set() -> None:
    """A+C (B between them): two bars, each carrying the whole set and the same booking."""
    made = booking(("A", "C"))
    bars = _bars(lay_out(timeline(FLOOR, (made,))))
    assert [(b.row, b.rows) for b in bars] == [(0, 1), (2, 1)]
    assert {b.booking_id for b in bars} == {str(made.id)}
    assert all(b.tables == ("A", "C") for b in bars)


def test_zones_keep_their_own_rows() -> None:
    """A terrace table's bar is in the terrace block, on its row there."""
    layout = lay_out(timeline(FLOOR, (booking(("T2",)),)))
    terrace = next(zone for zone in layout.zones if zone.name == "Terrace")
    assert [(b.row, b.tables) for b in terrace.bars] == [(1, ("T2",))]


def test_overstay_no_show_and_cancelled() -> None:
    """An overstay runs to its held end; a no-show stays on its last tables; cancelled: no bar."""
    over = booking(("A",), status="seated", overstaying=True, held_until=hm(21, 30))
    gone = booking(("B",), tables=(), status="no_show", no_show=True)
    cancelled = booking(("C",), tables=(), status="cancelled")
    bars = {b.tables: b for b in _bars(lay_out(timeline(FLOOR, (over, gone, cancelled))))}
    assert set(bars) == {("A",), ("B",)}
    assert "overstay" in bars[("A",)].classes
    assert bars[("A",)].width == 41.667  # 19:00 → 21:30
    assert "no-show" in bars[("B",)].classes
    late = booking(("A",), status="seated", overstaying=True, held_until=hm(20, 30))
    [still] = _bars(lay_out(timeline(FLOOR, (late,), now=hm(21))))
    assert still.left + still.width == 66.667  # to now (21:00), past its held end


def test_holds_blocks_and_the_unplaced_are_drawn_apart() -> None:
    """Holds and blocks get bars of their own kind; an open booking without tables is listed."""
    waiting = booking((), status="pending", assignment_state="manual_review")
    hold = TimelineHold(
        id=uuid4(), booking_id=uuid4(), start_at=hm(20), end_at=hm(21), expires_at=hm(20, 2),
        tables=("C",),
    )  # fmt: skip
    block = TimelineBlock(id=uuid4(), table="T1", start_at=hm(17), end_at=hm(19), reason="broken")
    layout = lay_out(timeline(FLOOR, (waiting,), holds=(hold,), blocks=(block,)))
    assert [b.tables for b in _bars(layout, "hold")] == [("C",)]
    assert [(b.label, b.left) for b in _bars(layout, "block")] == [("broken", 0.0)]
    assert layout.unplaced == (waiting,)


def test_the_now_line_and_hour_ticks() -> None:
    """Now at 20:00 is at 50 %; outside the window there is no line; ticks every hour."""
    assert lay_out(timeline(FLOOR, now=hm(20))).now == 50.0
    assert lay_out(timeline(FLOOR, now=hm(23) + timedelta(minutes=1))).now is None
    ticks = lay_out(timeline(FLOOR)).ticks
    assert [label for _, label in ticks] == [
        "17:00",
        "18:00",
        "19:00",
        "20:00",
        "21:00",
        "22:00",
        "23:00",
    ]
