"""The day sheet's rows: the day's bookings narrowed to one service period, a status and a search,
with the totals of what is shown (`store.day_sheet.day_totals`, the CLI's count too). Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from seatflow.domain.service import ServicePeriod, ServiceRules
from seatflow.store.day_sheet import DaySheet, DayTotals, day_totals
from seatflow.store.floor_timeline import TimelineBooking

__all__ = ["DayFilter", "DayView", "day_view", "period_of"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DayFilter:
    service: str = ""  # a period key; empty: the whole day
    status: str = ""  # a booking status, or "review" / "unplaced"
    q: str = ""  # part of a ref or a source, a table key, or the start of an id


@dataclass(frozen=True, slots=True, kw_only=True)
class DayView:
    bookings: tuple[TimelineBooking, ...]
    totals: DayTotals
    periods: tuple[ServicePeriod, ...]
    statuses: tuple[str, ...]


def period_of(
    booking: TimelineBooking, periods: tuple[ServicePeriod, ...], rules: ServiceRules
) -> str:
    """The key of the period whose seatings include the booking's local start ('' if none)."""
    local = booking.start_at.astimezone(rules.zone)
    for period in periods:
        if period.first_seating <= local.time().replace(tzinfo=None) <= period.last_seating:
            return period.key
    return ""


def day_view(sheet: DaySheet, rules: ServiceRules, chosen: DayFilter) -> DayView:
    periods = _periods_on(rules, sheet.timeline.date)
    in_service = tuple(
        b
        for b in sheet.timeline.bookings
        if not chosen.service or period_of(b, periods, rules) == chosen.service
    )
    shown = tuple(b for b in in_service if _matches(b, chosen))
    totals = day_totals(replace(sheet.timeline, bookings=in_service), sheet.totals.turned_away)
    statuses = tuple(sorted({b.status for b in sheet.timeline.bookings}))
    return DayView(bookings=shown, totals=totals, periods=periods, statuses=statuses)


def _periods_on(rules: ServiceRules, day: date) -> tuple[ServicePeriod, ...]:
    return tuple(p for p in rules.periods if day.isoweekday() in p.weekdays)


def _matches(booking: TimelineBooking, chosen: DayFilter) -> bool:
    if chosen.status == "review" and not booking.in_review:
        return False
    if chosen.status == "unplaced" and (booking.tables or booking.status not in _OPEN):
        return False
    if chosen.status not in ("", "review", "unplaced") and booking.status != chosen.status:
        return False
    needle = chosen.q.strip().lower()
    if not needle:
        return True
    if len(needle) >= _ID_PREFIX and str(booking.id).startswith(needle):
        return True
    if needle in (key.lower() for key in booking.tables):
        return True
    return needle in (booking.ref or "").lower() or needle in booking.source


_OPEN = frozenset({"pending", "confirmed"})
#: A search matches a booking id by its start, from this many characters (fewer match too much).
_ID_PREFIX = 4
