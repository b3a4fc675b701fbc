"""The floor timeline and day sheet read model on a real PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.domain.service import Closure, ServicePeriod, ServiceRules
from seatflow.domain.states import BookingStatus
from seatflow.errors import NotFound
from seatflow.store.blocks import add_block
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.database import Connection
from seatflow.store.day_sheet import load_day_sheet
from seatflow.store.floor_timeline import FloorTimeline, load_timeline
from seatflow.store.floors import StoredFloor, import_floor, load_floor
from seatflow.store.holds import create_hold, place_tables
from seatflow.store.live_service import change_status
from seatflow.store.service_rules import save_rules

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 12, 8)  # a Tuesday
NOW = datetime(2026, 12, 8, 20, 0, tzinfo=PARIS)
TTL = timedelta(minutes=10)

FLOOR = FloorPlan(
    slug="tl",
    name="Timeline",
    timezone="Europe/Paris",
    policy=VenuePolicy(turn_minutes=(TurnRule(max_party=99, minutes=90),), buffer_minutes=15),
    zones=(Zone(key="main", name="Main room"), Zone(key="window", name="Window")),
    tables=(
        Table(key="T10", zone="main", capacity=4),
        Table(key="T2", zone="main", capacity=4),
        Table(key="T1", zone="main", capacity=4),
        Table(key="W1", zone="window", capacity=2),
    ),
    adjacency=frozenset({frozenset({"T1", "T2"})}),
)
DINNER = ServicePeriod(
    key="dinner", weekdays=frozenset({2}), first_seating=time(18), last_seating=time(21, 30)
)


def _at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


async def _floor(conn: Connection, plan: FloorPlan = FLOOR) -> StoredFloor:
    async with conn.transaction():
        restaurant_id = await import_floor(conn, plan)
        await save_rules(
            conn, restaurant_id, ServiceRules(timezone=plan.timezone, periods=(DINNER,))
        )
    return await load_floor(conn, plan.slug)


async def _book(
    conn: Connection, floor: StoredFloor, start: datetime, party: int = 2, **extra: object
) -> UUID:
    booking = NewBooking(
        restaurant_id=floor.restaurant_id,
        party_size=party,
        start_at=start,
        end_at=start + timedelta(minutes=90),
        guest_name="Ada Secret",
        guest_phone="+33 6 00 00 00 00",
        **extra,  # type: ignore[arg-type]
    )
    async with conn.transaction():
        return (await insert_booking(conn, booking)).id


async def _place(
    conn: Connection, floor: StoredFloor, booking: UUID, start: datetime, *tables: str
) -> None:
    async with conn.transaction():
        await place_tables(
            conn,
            floor,
            booking,
            tables,
            start=start,
            end=start + timedelta(minutes=105),
            now=NOW,
            ttl=TTL,
        )


async def _evening(conn: Connection) -> tuple[StoredFloor, dict[str, UUID]]:
    """A joined party of six, an overstaying table, a no-show, one in review, a live hold and a
    block; plus a booking the next day that must not show."""
    floor = await _floor(conn)
    ids = {
        "joined": await _book(conn, floor, _at(19), party=6),
        "overstay": await _book(conn, floor, _at(18)),
        "no_show": await _book(conn, floor, _at(18, 30)),
        "review": await _book(conn, floor, _at(20, 30), party=8),
        "held": await _book(conn, floor, _at(21, 30)),
        "tomorrow": await _book(conn, floor, _at(19, day=DAY + timedelta(days=1))),
    }
    await _place(conn, floor, ids["joined"], _at(19), "T1", "T2")
    await _place(conn, floor, ids["overstay"], _at(18), "W1")
    await _place(conn, floor, ids["no_show"], _at(18, 30), "T10")
    async with conn.transaction():
        await change_status(
            conn,
            ids["overstay"],
            BookingStatus.SEATED,
            expected=[BookingStatus.PENDING],
            at=_at(18, 5),
            reason="arrived",
        )
        await change_status(
            conn,
            ids["no_show"],
            BookingStatus.NO_SHOW,
            expected=[BookingStatus.PENDING],
            at=_at(18, 45),
            reason="no_show_grace",
        )
        await conn.execute(
            "UPDATE allocations SET released_at = %s WHERE booking_id = %s", (NOW, ids["no_show"])
        )
        await conn.execute(
            "UPDATE bookings SET assignment_state = 'manual_review', review_reason = 'too_big' "
            "WHERE id = %s",
            (ids["review"],),
        )
        await create_hold(
            conn, floor, ids["held"], ["T10"], start=_at(21, 30), end=_at(23, 15), now=NOW, ttl=TTL
        )
        await add_block(conn, floor, "W1", start=_at(21), until=_at(22), reason="wobbly leg")
    return floor, ids


async def _timeline(conn: Connection, floor: StoredFloor, **kw: object) -> FloorTimeline:
    return await load_timeline(conn, floor.restaurant_id, DAY, now=NOW, **kw)  # type: ignore[arg-type]


async def test_timeline_holds_the_day_and_nothing_else(conn: Connection) -> None:
    """Every booking of the local date is there (and not the next day's), with its tables."""
    floor, ids = await _evening(conn)
    timeline = await _timeline(conn, floor)
    by_id = {b.id: b for b in timeline.bookings}
    assert set(by_id) == {ids[k] for k in ("joined", "overstay", "no_show", "review", "held")}
    assert by_id[ids["joined"]].tables == ("T1", "T2")
    assert by_id[ids["joined"]].party_size == 6
    assert timeline.restaurant.slug == "tl" and timeline.restaurant.timezone == "Europe/Paris"
    assert all(b.start_at.tzinfo is not None for b in timeline.bookings)


async def test_tables_sorted_by_zone_then_natural_key(conn: Connection) -> None:
    """Tables come zone by zone, T2 before T10."""
    floor, _ = await _evening(conn)
    timeline = await _timeline(conn, floor)
    assert [(t.zone, t.key, t.seats) for t in timeline.tables] == [
        ("main", "T1", 4),
        ("main", "T2", 4),
        ("main", "T10", 4),
        ("window", "W1", 2),
    ]


async def test_live_state_overstay_no_show_review(conn: Connection) -> None:
    """A seated party past its end overstays; a no-show keeps the tables it was last given."""
    floor, ids = await _evening(conn)
    by_id = {b.id: b for b in (await _timeline(conn, floor)).bookings}
    overstay, no_show, review = by_id[ids["overstay"]], by_id[ids["no_show"]], by_id[ids["review"]]
    assert overstay.overstaying and overstay.seated_at == _at(18, 5)
    assert not by_id[ids["joined"]].overstaying
    assert no_show.no_show and no_show.tables == () and no_show.last_tables == ("T10",)
    assert review.in_review and review.review_reason == "too_big" and review.tables == ()


async def test_overstay_judged_at_now(conn: Connection) -> None:
    """Before the party's planned end it is not overstaying."""
    floor, ids = await _evening(conn)
    early = await load_timeline(conn, floor.restaurant_id, DAY, now=_at(19))
    assert not next(b for b in early.bookings if b.id == ids["overstay"]).overstaying


async def test_holds_and_blocks_in_the_window(conn: Connection) -> None:
    """A live hold and a live block show; an expired hold does not."""
    floor, ids = await _evening(conn)
    timeline = await _timeline(conn, floor)
    assert [(h.booking_id, h.tables) for h in timeline.holds] == [(ids["held"], ("T10",))]
    assert [(k.table, k.start_at, k.reason) for k in timeline.blocks] == [
        ("W1", _at(21), "wobbly leg")
    ]
    later = await load_timeline(conn, floor.restaurant_id, DAY, now=NOW + TTL)
    assert later.holds == ()


async def test_window_from_the_service_period(conn: Connection) -> None:
    """First seating to last seating plus the longest turn, widened to the bookings."""
    floor, _ = await _evening(conn)
    timeline = await _timeline(conn, floor)
    assert timeline.start == _at(18).astimezone(UTC)
    # the hold's booking at 21:30 is held till 23:15 at most; last seating + 90 min = 23:00
    assert timeline.end == _at(23).astimezone(UTC)
    assert timeline.closed is None


async def test_no_periods_uses_the_bookings_or_a_default(conn: Connection) -> None:
    """Without service periods the window is the bookings' span, else 17:00–23:00 local."""
    plan = replace(FLOOR, slug="open")
    async with conn.transaction():
        await import_floor(conn, plan)
    floor = await load_floor(conn, "open")
    empty = await _timeline(conn, floor)
    assert (empty.start, empty.end) == (_at(17).astimezone(UTC), _at(23).astimezone(UTC))
    await _book(conn, floor, _at(12))
    lunch = await _timeline(conn, floor)
    assert (lunch.start, lunch.end) == (_at(12).astimezone(UTC), _at(13, 30).astimezone(UTC))


async def test_closure_is_named(conn: Connection) -> None:
    """A closed date says so."""
    floor = await _floor(conn)
    closed = ServiceRules(
        timezone="Europe/Paris", periods=(DINNER,), closures=(Closure(date=DAY, reason="works"),)
    )
    async with conn.transaction():
        await save_rules(conn, floor.restaurant_id, closed)
    assert (await _timeline(conn, floor)).closed == "works"


async def test_restaurant_scoped(conn: Connection) -> None:
    """Another restaurant's bookings on the same date never show."""
    floor, _ = await _evening(conn)
    other = await _floor(conn, replace(FLOOR, slug="other"))
    await _book(conn, other, _at(19))
    assert len((await _timeline(conn, floor)).bookings) == 5
    assert len((await _timeline(conn, other)).bookings) == 1


async def test_unknown_restaurant(conn: Connection) -> None:
    """An unknown restaurant id is NotFound."""
    with pytest.raises(NotFound):
        await load_timeline(conn, UUID(int=1), DAY, now=NOW)


async def test_day_sheet_totals(conn: Connection) -> None:
    """Covers booked count every expected party, seated only those seated; refused walk-ins by
    reason come from the floor events."""
    floor, _ = await _evening(conn)
    await conn.execute(
        "INSERT INTO observability_events (created_at, source, event_type, restaurant_id, "
        "context) VALUES (%s, 'service.floor', 'floor.walk_in_refused', %s, %s)",
        (_at(19, 10), floor.restaurant_id, '{"reason": "no_table_free"}'),
    )
    await conn.commit()
    totals = (await load_day_sheet(conn, floor.restaurant_id, DAY, now=NOW)).totals
    assert totals.bookings == 5
    assert totals.covers_booked == 6 + 2 + 2 + 8 + 2
    assert (totals.covers_seated, totals.parties_seated) == (2, 1)
    assert (totals.no_shows, totals.in_review, totals.cancelled) == (1, 1, 0)
    assert totals.unplaced == 2  # in review, and the held one not yet confirmed
    assert totals.turned_away == {"no_table_free": 1}
