"""The local day and the service window of the timeline read model, from plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from seatflow.domain.service import ServicePeriod, ServiceRules
from seatflow.store.day_sheet import day_totals
from seatflow.store.floor_timeline import (
    FloorTimeline,
    TimelineBooking,
    TimelineRestaurant,
    day_bounds,
    service_window,
)

PARIS = ZoneInfo("Europe/Paris")
RULES = ServiceRules(
    timezone="Europe/Paris",
    periods=(
        ServicePeriod(
            key="lunch", weekdays=frozenset({1}), first_seating=time(12), last_seating=time(14)
        ),
        ServicePeriod(
            key="dinner", weekdays=frozenset({1, 2}), first_seating=time(19), last_seating=time(22)
        ),
    ),
)


def _booking(start: datetime, status: str = "confirmed", **extra: object) -> TimelineBooking:
    values: dict[str, object] = {
        "id": UUID(int=1), "ref": None, "party_size": 3, "start_at": start,
        "end_at": start + timedelta(minutes=105), "turn_end": start + timedelta(minutes=90),
        "status": status, "assignment_state": "confirmed", "review_reason": None,
        "source": "online", "pinned": False, "seated_at": None, "left_at": None,
        "tables": ("T1",), "last_tables": ("T1",), "held_until": None, "overstaying": False,
        "no_show": status == "no_show",
    }  # fmt: skip
    values.update(extra)
    return TimelineBooking(**values)  # type: ignore[arg-type]


def test_day_bounds_follow_the_clock_change() -> None:
    """The local day of the autumn change lasts 25 hours, in UTC."""
    start, end = day_bounds(date(2026, 10, 25), "Europe/Paris")
    assert start == datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert end - start == timedelta(hours=25)


def test_window_spans_the_days_periods_only() -> None:
    """Monday has lunch and dinner: 12:00 to the last dinner seating plus the longest turn."""
    monday = date(2026, 12, 7)
    start, end = service_window(RULES, monday, 120)
    assert start == datetime(2026, 12, 7, 12, tzinfo=PARIS)
    assert end == datetime(2026, 12, 8, 0, tzinfo=PARIS)
    tuesday_start, _ = service_window(RULES, monday + timedelta(days=1), 120)
    assert tuesday_start == datetime(2026, 12, 8, 19, tzinfo=PARIS)


def test_window_widens_to_a_booking_outside_the_periods() -> None:
    """A booking before the first seating (a walk-in at 18:00) is inside the window."""
    early = _booking(datetime(2026, 12, 8, 18, tzinfo=PARIS))
    start, _ = service_window(RULES, date(2026, 12, 8), 120, (early,))
    assert start == early.start_at


def test_window_without_periods_or_bookings_is_the_evening() -> None:
    """No periods that weekday and no bookings: 17:00–23:00 local."""
    start, end = service_window(RULES, date(2026, 12, 9), 120)
    assert (start, end) == (
        datetime(2026, 12, 9, 17, tzinfo=PARIS),
        datetime(2026, 12, 9, 23, tzinfo=PARIS),
    )


def test_totals_count_covers_by_status() -> None:
    """Cancelled covers are not booked; a no-show's are booked, not seated."""
    at = datetime(2026, 12, 8, 19, tzinfo=PARIS)
    bookings = (
        _booking(at, "seated", seated_at=at),
        _booking(at, "no_show"),
        _booking(at, "cancelled"),
        _booking(at, "pending", tables=(), source="walk_in"),
    )
    timeline = FloorTimeline(
        restaurant=TimelineRestaurant(
            id=UUID(int=9), slug="r", name="R", timezone="Europe/Paris", buffer_minutes=15
        ),
        date=date(2026, 12, 8), start=at, end=at, now=at, closed=None,
        tables=(), bookings=bookings, holds=(), blocks=(),
    )  # fmt: skip
    totals = day_totals(timeline, {"no_table_free": 2})
    assert (totals.covers_booked, totals.covers_seated, totals.parties_seated) == (9, 3, 1)
    assert (totals.no_shows, totals.cancelled, totals.walk_ins, totals.unplaced) == (1, 1, 1, 1)
    assert totals.turned_away == {"no_table_free": 2}
