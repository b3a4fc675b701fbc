"""`create_walked`: a new booking's row, walk and job sent together — one wait on the server in
pipeline mode — and what it reports is what the database then holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.domain.states import AssignmentState
from seatflow.pipeline.handback import path_to_pending
from seatflow.store.bookings import NewBooking, require_booking, state_history
from seatflow.store.creation import create_walked
from seatflow.store.database import Connection, pipelined_transaction
from seatflow.store.floors import import_floor
from seatflow.store.round_trips import RoundTripTrace

START = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
FLOOR = FloorPlan(
    slug="created",
    name="Created",
    policy=VenuePolicy(turn_minutes=(TurnRule(max_party=99, minutes=90),)),
    zones=(Zone(key="main", name="Main"),),
    tables=(Table(key="T1", zone="main", capacity=4),),
)
PATH = path_to_pending(AssignmentState.CREATED)


class _Jobs:
    """An enqueue that reads its answer back, as procrastinate's defer does."""

    def __init__(self) -> None:
        self.queued: list[UUID] = []

    async def __call__(self, conn: Connection, booking_id: UUID) -> None:
        cursor = await conn.execute("SELECT %s::uuid AS id", (booking_id,))
        row = await cursor.fetchone()
        assert row is not None
        self.queued.append(row["id"])


@pytest.fixture
async def new(conn: Connection) -> NewBooking:
    async with conn.transaction():
        restaurant = await import_floor(conn, FLOOR)
    return NewBooking(
        restaurant_id=restaurant,
        party_size=2,
        start_at=START,
        end_at=START + timedelta(minutes=105),
        requested_at=START - timedelta(days=1),
    )


async def test_row_walk_and_job_are_one_wait_and_report_what_was_written(
    conn: Connection, new: NewBooking
) -> None:
    jobs = _Jobs()
    trace = RoundTripTrace()
    trace.watch(conn)
    async with pipelined_transaction(conn):
        await conn.execute("SELECT 1")  # the BEGIN's company, as the claim is in the API
        before = trace.count()
        record, steps = await create_walked(
            conn, new, PATH, actor="api:test", reason="availability checked", enqueue=jobs
        )
        waits = trace.count() - before
    trace.close()
    assert waits == 1
    assert jobs.queued == [new.id] == [record.id]
    stored = await require_booking(conn, new.id)
    assert stored == steps[-1].booking  # the walk's final record, as the database holds it
    assert stored.assignment_state is AssignmentState.ASSIGNMENT_PENDING
    history = await state_history(conn, new.id)
    assert [(h["to_state"], h["version"], h["actor"]) for h in history] == [
        (s.to_state.value, s.booking.version, s.actor) for s in steps
    ]
    assert {h["created_at"] for h in history} == {record.created_at}  # one transaction's now()


async def test_outside_pipeline_mode_it_runs_statement_by_statement(
    conn: Connection, new: NewBooking
) -> None:
    jobs = _Jobs()
    async with conn.transaction():
        record, steps = await create_walked(
            conn, new, PATH, actor="api:test", reason="availability checked", enqueue=jobs
        )
    assert await require_booking(conn, record.id) == steps[-1].booking
    assert jobs.queued == [record.id]
