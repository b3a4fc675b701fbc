"""The API's read helpers and the reschedule write on PostgreSQL: review queue, event search,
backlog gauges (bookings and the job queue), and the version guard of a modification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from seatflow.documents import parse_restaurant
from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.errors import VersionConflict
from seatflow.jobs import ProcrastinateQueue, build_app
from seatflow.jobs.queue import booking_lock
from seatflow.store.bookings import NewBooking, advance, insert_booking, require_booking, set_status
from seatflow.store.database import Connection
from seatflow.store.events import Event, prepare_event
from seatflow.store.floors import import_floor
from seatflow.store.reads import EventFilter, assignment_backlog, review_queue, search_events
from seatflow.store.reschedule import reschedule_booking

S = AssignmentState
START = datetime(2030, 6, 1, 19, 0, tzinfo=UTC)


def _floor(slug: str) -> dict[str, object]:
    return {
        "slug": slug,
        "policy": {"turn_minutes": [{"max_party": 99, "minutes": 90}]},
        "zones": [{"key": "z"}],
        "tables": [{"key": "t", "zone": "z", "capacity": 4}],
    }


async def _booking(conn: Connection, restaurant: UUID, hours: int = 0) -> UUID:
    start = START + timedelta(hours=hours)
    record = await insert_booking(
        conn,
        NewBooking(
            restaurant_id=restaurant,
            party_size=2,
            start_at=start,
            end_at=start + timedelta(minutes=105),
        ),
    )
    return record.id


async def _to(conn: Connection, booking_id: UUID, *states: AssignmentState) -> None:
    booking = await require_booking(conn, booking_id)
    await advance(conn, booking, states, actor="test", reason="no_capacity")


async def test_review_queue_lists_only_open_reviews_of_the_restaurant(conn: Connection) -> None:
    """Only the restaurant's manual-review bookings that are not cancelled, soonest first."""
    here = await import_floor(conn, parse_restaurant(_floor("here")))
    there = await import_floor(conn, parse_restaurant(_floor("there")))
    later, sooner, cancelled, pending, elsewhere = (
        await _booking(conn, here, 2),
        await _booking(conn, here, 1),
        await _booking(conn, here, 3),
        await _booking(conn, here, 4),
        await _booking(conn, there, 1),
    )
    for booking_id in (later, sooner, cancelled, elsewhere):
        await _to(conn, booking_id, S.MANUAL_REVIEW)
    await set_status(conn, cancelled, BookingStatus.CANCELLED)
    rows = await review_queue(conn, here)
    assert [(r["id"], r["review_reason"]) for r in rows] == [
        (sooner, "no_capacity"),
        (later, "no_capacity"),
    ]
    assert pending not in {r["id"] for r in rows}
    backlog = await assignment_backlog(conn, shadow_since=START - timedelta(days=3650))
    assert (backlog.pending, backlog.in_review) == (1, 3)


async def test_backlog_counts_due_jobs_and_the_age_of_the_oldest(conn: Connection) -> None:
    """Jobs due and not taken are counted, and the lag is the age of the oldest of them — its
    deferral for an unscheduled job, its schedule for a delayed one; future and running jobs
    are not waiting."""
    here = await import_floor(conn, parse_restaurant(_floor("here")))
    queue = ProcrastinateQueue(build_app())
    assert (await assignment_backlog(conn, shadow_since=START)).queue_lag_seconds == 0.0
    bookings = [await _booking(conn, here, hours) for hours in range(4)]
    for booking_id in bookings:
        await queue.enqueue(conn, booking_id, "creation", new_booking=True)
    deferred_long_ago, scheduled_past, scheduled_future, running = (
        booking_lock(b) for b in bookings
    )
    await conn.execute(
        "UPDATE procrastinate_events SET at = now() - interval '90 seconds' WHERE job_id = "
        "(SELECT id FROM procrastinate_jobs WHERE lock = %s)",
        (deferred_long_ago,),
    )
    await conn.execute(
        "UPDATE procrastinate_jobs SET scheduled_at = now() - interval '30 seconds' "
        "WHERE lock = %s",
        (scheduled_past,),
    )
    await conn.execute(
        "UPDATE procrastinate_jobs SET scheduled_at = now() + interval '1 hour' WHERE lock = %s",
        (scheduled_future,),
    )
    await conn.execute("UPDATE procrastinate_jobs SET status = 'doing' WHERE lock = %s", (running,))
    backlog = await assignment_backlog(conn, shadow_since=START)
    assert backlog.jobs_due == 2
    assert 90 <= backlog.queue_lag_seconds < 90 + 60  # now() is the transaction's start


async def test_search_events_applies_every_filter(conn: Connection) -> None:
    """Events filter by source, type, time and booking, newest first, capped by the limit."""
    booking = uuid4()
    now = datetime.now(UTC)
    samples = [
        Event(source="a", event_type="x", booking_id=booking, created_at=now - timedelta(hours=2)),
        Event(source="a", event_type="y", booking_id=booking, created_at=now - timedelta(hours=1)),
        Event(source="b", event_type="x", created_at=now),
    ]
    for sample in samples:
        event = prepare_event(sample)
        await conn.execute(
            "INSERT INTO observability_events "
            "(created_at, source, event_type, severity, booking_id) VALUES (%s, %s, %s, %s, %s)",
            (event.created_at, event.source, event.event_type, event.severity, event.booking_id),
        )

    async def types(**filters: object) -> list[str]:
        rows = await search_events(conn, EventFilter(**filters))  # type: ignore[arg-type]
        return [f"{r['source']}:{r['event_type']}" for r in rows]

    assert await types() == ["b:x", "a:y", "a:x"]
    assert await types(source="a") == ["a:y", "a:x"]
    assert await types(event_type="x") == ["b:x", "a:x"]
    assert await types(booking_id=booking, limit=1) == ["a:y"]
    assert await types(since=now - timedelta(minutes=90)) == ["b:x", "a:y"]


async def test_backlog_counts_shadow_mismatches_since_a_moment(conn: Connection) -> None:
    """Only V3-worse or V3-error shadow comparisons since the moment count as mismatches."""
    now = datetime.now(UTC)
    for classification, age in (
        ("legacy_better", 1),
        ("v3_error", 1),
        ("same", 1),
        ("v3_error", 9),
    ):
        await conn.execute(
            "INSERT INTO observability_events (created_at, source, event_type, context) "
            "VALUES (%s, 'assignment.coordinator', 'coordinator.shadow_compare', %s::jsonb)",
            (now - timedelta(hours=age), f'{{"classification": "{classification}"}}'),
        )
    backlog = await assignment_backlog(conn, shadow_since=now - timedelta(hours=2))
    assert backlog.shadow_mismatches == 2


async def test_reschedule_is_version_guarded(conn: Connection) -> None:
    """A modification from a stale read fails with VersionConflict and changes nothing."""
    restaurant = await import_floor(conn, parse_restaurant(_floor("here")))
    booking_id = await _booking(conn, restaurant)
    stale = await require_booking(conn, booking_id)
    await _to(conn, booking_id, S.CAPACITY_VERIFIED)
    with pytest.raises(VersionConflict):
        await reschedule_booking(
            conn, stale, party_size=4, start_at=START, end_at=START + timedelta(hours=2)
        )
    fresh = await require_booking(conn, booking_id)
    moved = await reschedule_booking(
        conn, fresh, party_size=4, start_at=START, end_at=START + timedelta(hours=2)
    )
    assert (moved.party_size, moved.end_at, moved.version) == (
        4,
        START + timedelta(hours=2),
        fresh.version,
    )
