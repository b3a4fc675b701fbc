"""The day sheet's filters and totals: a service period, a status, a search."""

from __future__ import annotations

from datetime import time

from seatflow.api.ops.day_view import DayFilter, day_view
from seatflow.domain.service import ServicePeriod, ServiceRules
from seatflow.store.day_sheet import DaySheet, day_totals
from unit.api.ops.kit import booking, hm, tables, timeline

EVERY_DAY = frozenset(range(1, 8))
RULES = ServiceRules(
    periods=(
        ServicePeriod(
            key="lunch", weekdays=EVERY_DAY, first_seating=time(12), last_seating=time(14)
        ),
        ServicePeriod(
            key="dinner", weekdays=EVERY_DAY, first_seating=time(18), last_seating=time(22)
        ),
    )
)
LUNCH = booking(("A",), hm(12, 30), party_size=3, ref="L-1")
DINNER = booking(("B", "C"), hm(19), party_size=6, status="seated", source="walk_in")
REVIEW = booking((), hm(20), party_size=4, status="pending", assignment_state="manual_review")


def _sheet() -> DaySheet:
    line = timeline(tables("A", "B", "C"), (LUNCH, DINNER, REVIEW))
    return DaySheet(timeline=line, totals=day_totals(line, {"no_table": 2}))


def test_the_whole_day_by_default() -> None:
    """No filter: every booking, the day's totals, the periods of the weekday offered."""
    view = day_view(_sheet(), RULES, DayFilter())
    assert view.bookings == (LUNCH, DINNER, REVIEW)
    assert (view.totals.covers_booked, view.totals.covers_seated) == (13, 6)
    assert view.totals.turned_away == {"no_table": 2}
    assert [p.key for p in view.periods] == ["lunch", "dinner"]


def test_a_service_narrows_rows_and_totals() -> None:
    """Dinner only: its bookings, its covers."""
    view = day_view(_sheet(), RULES, DayFilter(service="dinner"))
    assert view.bookings == (DINNER, REVIEW)
    assert view.totals.covers_booked == 10 and view.totals.in_review == 1


def test_status_and_search() -> None:
    """`review` finds the booking in review; a search matches a ref, a table or a source."""
    assert day_view(_sheet(), RULES, DayFilter(status="review")).bookings == (REVIEW,)
    assert day_view(_sheet(), RULES, DayFilter(status="seated")).bookings == (DINNER,)
    assert day_view(_sheet(), RULES, DayFilter(status="unplaced")).bookings == (REVIEW,)
    assert day_view(_sheet(), RULES, DayFilter(q="l-1")).bookings == (LUNCH,)
    assert day_view(_sheet(), RULES, DayFilter(q="walk")).bookings == (DINNER,)
    assert day_view(_sheet(), RULES, DayFilter(q="c")).bookings == (DINNER,)
    assert day_view(_sheet(), RULES, DayFilter(q=str(REVIEW.id)[:8])).bookings == (REVIEW,)
