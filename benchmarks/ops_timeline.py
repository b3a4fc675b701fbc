"""Server-side render time of the ops console's floor timeline on a busy evening.

A 60-table floor (three zones of 20) and 300 bookings over 17:00–23:00 — six seatings per table,
60 of them parties on two joined tables, a mix of completed, seated, overstaying, confirmed and
no-show — plus holds and table blocks, built in memory as the `FloorTimeline` the store's read
model returns. Timed: the layout (`api.ops.timeline_layout.lay_out`) and the Jinja2 rendering,
of the grid partial the page polls and of the whole page — what the server does per request
besides reading the database (a few indexed queries, not timed here).

    .venv/bin/python benchmarks/ops_timeline.py [--runs 200]

Prints Markdown. Target: the whole page under 100 ms (p95).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from uuid import UUID, uuid4

from seatflow.api.ops.render import templates
from seatflow.api.ops.timeline_layout import lay_out
from seatflow.store.floor_timeline import (
    FloorTimeline,
    TimelineBlock,
    TimelineBooking,
    TimelineHold,
    TimelineRestaurant,
    TimelineTable,
)

TARGET_MS = 100.0
DAY = date(2026, 12, 5)
OPENS = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
SEATING = timedelta(minutes=60)  # six seatings 17:00–23:00: a 50-minute turn and 10 of buffer
ZONES = ("garden", "main", "terrace")
STATUSES = ("completed", "completed", "seated", "confirmed", "confirmed", "no_show")


def floor() -> tuple[TimelineTable, ...]:
    return tuple(
        TimelineTable(key=f"{zone[:2].upper()}{n:02d}", seats=(2, 4, 6)[n % 3], zone=zone,
                      zone_name=zone.title())
        for zone in ZONES
        for n in range(1, 21)
    )  # fmt: skip


def bookings(tables: Sequence[TimelineTable]) -> tuple[TimelineBooking, ...]:
    """Six seatings per table; in each, tables 0+1, 6+7, 12+13, … joined: 50 bookings."""
    made: list[TimelineBooking] = []
    for seating in range(6):
        start = OPENS + seating * SEATING
        index = 0
        while index < len(tables):
            joined = index % 6 == 0
            on = tuple(t.key for t in tables[index : index + (2 if joined else 1)])
            made.append(_booking(on, start, STATUSES[seating], len(made)))
            index += len(on)
    return tuple(made)


def _booking(on: tuple[str, ...], start: datetime, status: str, n: int) -> TimelineBooking:
    overstaying = status == "seated" and n % 7 == 0
    return TimelineBooking(
        id=uuid4(), ref=f"R{n:04d}", party_size=2 + n % 5, start_at=start,
        end_at=start + SEATING, turn_end=start + timedelta(minutes=50), status=status,
        assignment_state="confirmed", review_reason=None, source="online" if n % 4 else "phone",
        pinned=n % 11 == 0, seated_at=start if status in ("seated", "completed") else None,
        left_at=start + timedelta(minutes=50) if status == "completed" else None,
        tables=() if status == "no_show" else on, last_tables=on,
        held_until=start + SEATING + timedelta(minutes=15) if overstaying else None,
        overstaying=overstaying, no_show=status == "no_show",
    )  # fmt: skip


def evening() -> FloorTimeline:
    tables = floor()
    holds = tuple(
        TimelineHold(id=uuid4(), booking_id=uuid4(), start_at=OPENS + timedelta(hours=4),
                     end_at=OPENS + timedelta(hours=5), expires_at=OPENS + timedelta(hours=3),
                     tables=(tables[k].key,))
        for k in range(0, 60, 12)
    )  # fmt: skip
    blocks = tuple(
        TimelineBlock(id=uuid4(), table=tables[k].key, start_at=OPENS,
                      end_at=OPENS + timedelta(hours=1), reason="repair")
        for k in (5, 25, 45)
    )  # fmt: skip
    return FloorTimeline(
        restaurant=TimelineRestaurant(
            id=UUID(int=1), slug="bench", name="Bench", timezone="Europe/Paris", buffer_minutes=10
        ),
        date=DAY, start=OPENS, end=OPENS + 6 * SEATING, now=OPENS + timedelta(hours=3, minutes=10),
        closed=None, tables=tables, bookings=bookings(tables), holds=holds, blocks=blocks,
    )  # fmt: skip


def render(timeline: FloorTimeline, name: str) -> str:
    """What the route does after reading: lay the evening out and fill the template in."""
    scope = SimpleNamespace(slug="bench", floor=SimpleNamespace(plan=SimpleNamespace(name="Bench")))
    user = SimpleNamespace(
        principal=SimpleNamespace(is_admin=True, key_prefix="0123456789ab"), restaurant_slug=None
    )
    return templates.get_template(name).render(
        user=user, csrf="x" * 32, scope=scope, day=timeline.date, timeline=timeline,
        layout=lay_out(timeline), refresh=20, tz=timeline.restaurant.timezone,
    )  # fmt: skip


def timed(runs: int, work: Callable[[], object]) -> list[float]:
    for _ in range(5):  # warm-up: template compilation, zoneinfo caches
        work()
    result = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        result.append((time.perf_counter() - began) * 1000)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    timeline = evening()
    layout = lay_out(timeline)
    bars = sum(len(zone.bars) for zone in layout.zones)
    page = render(timeline, "timeline.html")
    print(f"{len(timeline.tables)} tables, {len(timeline.bookings)} bookings, {bars} bars, "
          f"page {len(page) / 1024:.0f} KiB, {args.runs} runs\n")  # fmt: skip
    print("| step | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
    worst = 0.0
    for label, work in (
        ("layout (`lay_out`)", lambda: lay_out(timeline)),
        ("grid partial (layout + template)", lambda: render(timeline, "_timeline_grid.html")),
        ("whole page (layout + template)", lambda: render(timeline, "timeline.html")),
    ):
        times = sorted(timed(args.runs, work))
        p95 = times[int(0.95 * (len(times) - 1))]
        worst = max(worst, p95)
        print(f"| {label} | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} |")
    met = worst < TARGET_MS
    print(f"\ntarget (< {TARGET_MS:.0f} ms p95): {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
