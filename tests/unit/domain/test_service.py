"""Service rules: hours in the restaurant's time zone (DST days included), closures, turn tables
per period, pacing slots, the day's starts and nearby alternatives."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from seatflow.domain.floor import TurnRule, VenuePolicy
from seatflow.domain.service import (
    CLOSED,
    OUTSIDE_SERVICE_HOURS,
    Closure,
    PacedBooking,
    Pacing,
    ServicePeriod,
    ServiceRules,
    nearby_starts,
    pacing_allows,
)

POLICY = VenuePolicy(
    turn_minutes=(TurnRule(max_party=2, minutes=90), TurnRule(max_party=99, minutes=120)),
    buffer_minutes=15,
)
LUNCH = ServicePeriod(
    key="lunch",
    weekdays=frozenset({1, 2, 3, 4, 5}),
    first_seating=time(12, 0),
    last_seating=time(14, 0),
    turn_minutes=(TurnRule(max_party=2, minutes=60), TurnRule(max_party=99, minutes=75)),
    pacing=Pacing(slot_minutes=15, max_covers=8),
)
DINNER = ServicePeriod(
    key="dinner",
    weekdays=frozenset(range(1, 8)),
    first_seating=time(17, 0),
    last_seating=time(21, 30),
    pacing=Pacing(slot_minutes=30, max_covers=10, max_parties=3),
)
LONDON = ServiceRules(
    timezone="Europe/London",
    periods=(LUNCH, DINNER),
    closures=(Closure(date=date(2026, 12, 25), reason="Christmas Day"),),
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_v1_rules_seat_at_any_time() -> None:
    """Without periods nothing is refused and the policy's turn applies: v1 is unchanged."""
    rules = ServiceRules()
    start = utc("2026-12-05T04:00")
    assert not rules.restricted
    assert rules.refusal(start) is None
    assert rules.period_at(start) is None
    assert rules.slot_of(start) is None
    assert rules.turn_minutes(POLICY, start, 4) == 120
    assert rules.occupancy(POLICY, start, 2) == (start, start + timedelta(minutes=105))


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-10-24T16:00", "dinner"),  # Saturday 17:00 BST
        ("2026-10-24T15:59", None),
        ("2026-10-24T20:30", "dinner"),  # 21:30 BST: last seating is inclusive
        ("2026-10-24T20:31", None),
        ("2026-10-25T17:00", "dinner"),  # Sunday after the change: 17:00 GMT
        ("2026-10-25T16:00", None),  # 16:00 GMT: an hour early now
        ("2026-10-23T11:00", "lunch"),  # Friday 12:00 BST
        ("2026-10-24T11:00", None),  # no lunch on Saturday
    ],
)
def test_period_at_reads_the_local_clock(start: str, expected: str | None) -> None:
    """Periods match the local weekday and [first, last] seating, across a DST change."""
    period = LONDON.period_at(utc(start))
    assert (period.key if period else None) == expected


def test_refusal_names_closures_and_hours() -> None:
    """A closure's local date is `closed`; outside every period is `outside_service_hours`."""
    assert LONDON.refusal(utc("2026-12-25T18:00")) == CLOSED
    assert LONDON.refusal(utc("2026-12-24T09:00")) == OUTSIDE_SERVICE_HOURS
    assert LONDON.refusal(utc("2026-12-24T18:00")) is None


def test_closure_follows_the_local_date() -> None:
    """23:30 UTC on the 24th is already the 25th in Tokyo."""
    rules = ServiceRules(timezone="Asia/Tokyo", closures=(Closure(date=date(2026, 12, 25)),))
    assert rules.refusal(utc("2026-12-24T23:30")) == CLOSED
    assert rules.refusal(utc("2026-12-24T12:00")) is None
    assert rules.service_starts(date(2026, 12, 25)) == []


def test_period_turn_table_replaces_the_policy() -> None:
    """Lunch has its own turns; dinner (None) keeps the policy's; a duration beats both."""
    lunch, dinner = utc("2026-12-07T12:00"), utc("2026-12-07T19:00")
    assert LONDON.turn_minutes(POLICY, lunch, 2) == 60
    assert LONDON.turn_minutes(POLICY, lunch, 6) == 75
    assert LONDON.turn_minutes(POLICY, dinner, 2) == 90
    assert LONDON.turn_minutes(POLICY, lunch, 2, duration_minutes=40) == 40
    assert LONDON.occupancy(POLICY, lunch, 2) == (lunch, lunch + timedelta(minutes=75))


def test_slots_count_from_first_seating() -> None:
    """Dinner's 30-minute slots start at 17:00 local; the slot start comes back in UTC."""
    assert LONDON.slot_of(utc("2026-12-07T17:29")) == ("dinner", utc("2026-12-07T17:00"))
    assert LONDON.slot_of(utc("2026-12-07T17:30")) == ("dinner", utc("2026-12-07T17:30"))
    assert LONDON.slot_of(utc("2026-07-07T16:45")) == ("dinner", utc("2026-07-07T16:30"))
    assert LONDON.slot_of(utc("2026-12-07T15:00")) is None


def test_pacing_counts_covers_and_parties_of_one_slot() -> None:
    """Dinner takes 10 covers and 3 parties per slot; other slots and lunch do not count."""
    start = utc("2026-12-07T19:00")
    same = [PacedBooking(start_at=start + timedelta(minutes=10), party_size=4)]
    other = [PacedBooking(start_at=start + timedelta(minutes=30), party_size=9)]
    assert pacing_allows(LONDON, start, 6, same + other)
    assert not pacing_allows(LONDON, start, 7, same)
    two = same + [PacedBooking(start_at=start, party_size=1)]
    assert pacing_allows(LONDON, start, 1, two)
    assert not pacing_allows(LONDON, start, 1, two + [PacedBooking(start_at=start, party_size=1)])
    assert pacing_allows(LONDON, utc("2026-12-07T03:00"), 50, same)


def test_service_starts_on_a_weekday_and_a_weekend() -> None:
    """Lunch and dinner on Monday (9 + 19 starts), dinner only on Saturday, in UTC."""
    monday = LONDON.service_starts(date(2026, 12, 7))
    assert len(monday) == 9 + 19
    assert monday[0] == utc("2026-12-07T12:00") and monday[-1] == utc("2026-12-07T21:30")
    saturday = LONDON.service_starts(date(2026, 12, 5), step_minutes=30)
    assert saturday[0] == utc("2026-12-05T17:00") and len(saturday) == 10
    assert LONDON.service_starts(date(2026, 12, 25)) == []


def test_service_starts_on_the_dst_days() -> None:
    """On the autumn change a night period's repeated hour is there twice, on the spring
    change the skipped hour is missing; dinner keeps its local times."""
    night = ServicePeriod(
        key="late", weekdays=frozenset({7}), first_seating=time(0, 30), last_seating=time(2, 30)
    )
    rules = ServiceRules(timezone="Europe/London", periods=(night, DINNER))
    autumn = rules.service_starts(date(2026, 10, 25), step_minutes=30)
    late = [s for s in autumn if s < utc("2026-10-25T12:00")]
    assert [s.strftime("%H:%M") for s in late] == [
        "23:30",
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "02:00",
        "02:30",
    ]
    spring = rules.service_starts(date(2026, 3, 29), step_minutes=30)[:3]
    assert [s.strftime("%H:%M") for s in spring] == ["00:30", "01:00", "01:30"]
    assert utc("2026-10-25T17:00") in autumn and utc("2026-10-24T16:00") not in autumn


def test_unrestricted_day_is_the_legacy_grid() -> None:
    """Without periods a day is 11:00 up to 23:00 local in 15-minute steps (48 starts)."""
    starts = ServiceRules(timezone="America/New_York").service_starts(date(2026, 12, 5))
    assert len(starts) == 48
    assert starts[0] == utc("2026-12-05T16:00") and starts[-1] == utc("2026-12-06T03:45")


def test_last_seating_at_ends_the_period() -> None:
    """The moment's period's last seating in UTC; None outside periods."""
    assert LONDON.last_seating_at(utc("2026-07-07T18:00")) == utc("2026-07-07T20:30")
    assert LONDON.last_seating_at(utc("2026-12-07T13:00")) == utc("2026-12-07T14:00")
    assert LONDON.last_seating_at(utc("2026-12-07T15:00")) is None


def test_nearby_prefers_the_same_day_nearest_first() -> None:
    """A 04:00 request on a dinner-only Saturday gets that evening's first starts; a refused
    19:00 gets 18:45 before 19:15 (earlier on a tie); the start itself is never offered."""
    early = nearby_starts(LONDON, utc("2026-12-05T04:00"), lambda _: True)
    assert early == [utc("2026-12-05T17:00"), utc("2026-12-05T17:15"), utc("2026-12-05T17:30")]
    start = utc("2026-12-05T19:00")
    assert nearby_starts(LONDON, start, lambda _: True, limit=2) == [
        utc("2026-12-05T18:45"),
        utc("2026-12-05T19:15"),
    ]
    after_eight = nearby_starts(LONDON, start, lambda t: t.hour >= 20, step_minutes=30)
    assert after_eight == [
        utc("2026-12-05T20:00"),
        utc("2026-12-05T20:30"),
        utc("2026-12-05T21:00"),
    ]


def test_nearby_falls_back_to_the_days_either_side() -> None:
    """On a closure the neighbouring days' starts are offered, nearest first."""
    found = nearby_starts(LONDON, utc("2026-12-25T19:00"), lambda _: True, limit=2)
    assert found == [utc("2026-12-24T21:30"), utc("2026-12-24T21:15")]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (
            lambda: ServicePeriod(
                key="x", weekdays=frozenset({1}), first_seating=time(18), last_seating=time(17)
            ),
            "last_seating",
        ),
        (
            lambda: ServicePeriod(
                key="x", weekdays=frozenset({8}), first_seating=time(17), last_seating=time(18)
            ),
            "weekdays",
        ),
        (lambda: Pacing(slot_minutes=0), "slot_minutes"),
        (lambda: ServiceRules(overstay_step_minutes=0), "overstay_step_minutes"),
        (lambda: ServiceRules(periods=(DINNER, DINNER)), "keys"),
        (lambda: ServiceRules(timezone="Mars/Olympus"), "timezone"),
    ],
)
def test_meaningless_values_are_refused(build: object, field: str) -> None:
    """A value that cannot mean anything raises ValueError naming the field."""
    with pytest.raises(ValueError, match=field):
        build()  # type: ignore[operator]


def test_naive_moments_are_refused() -> None:
    """A naive datetime has no place on the restaurant's clock."""
    with pytest.raises(ValueError, match="aware"):
        LONDON.period_at(datetime(2026, 12, 5, 19))
