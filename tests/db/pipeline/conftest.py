"""Fixtures for pipeline tests: a pool, a small floor, bookings, and a wired coordinator."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

import pytest
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.domain.service import ServicePeriod, ServiceRules
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.coordinator import AssignmentCoordinator, CoordinatorConfig
from seatflow.pipeline.error_budget import ErrorBudget
from seatflow.pipeline.flags import PipelineFlags
from seatflow.pipeline.outcome import OutcomeKind
from seatflow.pipeline.retry import RetryPolicy
from seatflow.pipeline.seating import Seated, seat_arrival
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.database import Connection, open_pool
from seatflow.store.events import MemoryEventSink
from seatflow.store.floors import StoredFloor, import_floor, load_floor
from seatflow.store.service_rules import save_rules

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
START = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)

SMALL_FLOOR = FloorPlan(
    slug="small",
    name="Small",
    policy=VenuePolicy(
        turn_minutes=(TurnRule(max_party=2, minutes=90), TurnRule(max_party=99, minutes=120)),
        buffer_minutes=15,
        max_tables_per_booking=2,
    ),
    zones=(Zone(key="main", name="Main"),),
    tables=(
        Table(key="A", zone="main", capacity=2),
        Table(key="B", zone="main", capacity=4),
        Table(key="C", zone="main", capacity=4),
    ),
    adjacency=frozenset({frozenset({"B", "C"})}),
)

BookingFactory = Callable[..., Awaitable[UUID]]


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[AsyncConnectionPool[Connection]]:
    """A small pool on this test's database."""
    async with open_pool(db_url, max_size=4) as opened:
        yield opened


@pytest.fixture
async def floor(pool: AsyncConnectionPool[Connection]) -> StoredFloor:
    """The small floor, imported."""
    async with pool.connection() as conn:
        async with conn.transaction():
            await import_floor(conn, SMALL_FLOOR)
        return await load_floor(conn, SMALL_FLOOR.slug)


@pytest.fixture
def make_booking(pool: AsyncConnectionPool[Connection], floor: StoredFloor) -> BookingFactory:
    """Insert a booking (committed) and return its id."""

    async def make(party_size: int = 2, start: datetime = START) -> UUID:
        begin, end = floor.plan.policy.occupancy(start, party_size)
        async with pool.connection() as conn, conn.transaction():
            record = await insert_booking(
                conn,
                NewBooking(
                    restaurant_id=floor.restaurant_id,
                    party_size=party_size,
                    start_at=begin,
                    end_at=end,
                ),
            )
        return record.id

    return make


@pytest.fixture
def sink() -> MemoryEventSink:
    return MemoryEventSink()


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW)


@pytest.fixture
def coordinator(
    pool: AsyncConnectionPool[Connection], sink: MemoryEventSink, clock: SimulatedClock
) -> AssignmentCoordinator:
    """A V3 coordinator with short retry and error budgets (three each) and a seeded jitter."""
    config = CoordinatorConfig(
        flags=PipelineFlags(v3=True, max_parallel=2),
        hold_ttl=timedelta(minutes=2),
        repack_budget_ms=2000,
        retry=RetryPolicy(max_attempts=3),
        errors=ErrorBudget(max_errors=3),
    )
    return AssignmentCoordinator(pool, sink, clock, config, rng=random.Random(7))


RULES = ServiceRules(
    timezone="UTC",
    periods=(
        ServicePeriod(
            key="dinner",
            weekdays=frozenset(range(1, 8)),
            first_seating=time(17, 0),
            last_seating=time(21, 30),
        ),
    ),
)
BUDGET = 500


class Jobs:
    """A JobQueue that remembers what was queued (the worker is the coordinator, run by hand)."""

    def __init__(self) -> None:
        self.queued: list[tuple[UUID, str]] = []

    async def enqueue(self, conn: Connection, booking_id: UUID, trigger: str) -> None:
        self.queued.append((booking_id, trigger))


@pytest.fixture
async def live(pool: AsyncConnectionPool[Connection], floor: StoredFloor) -> StoredFloor:
    """The small floor with a dinner service: the live service runs here."""
    async with pool.connection() as conn:
        async with conn.transaction():
            await save_rules(conn, floor.restaurant_id, RULES)
        return await load_floor(conn, floor.plan.slug)


async def confirmed(coordinator: AssignmentCoordinator, booking_id: UUID) -> tuple[str, ...]:
    """Place the booking through the coordinator; its tables."""
    outcome = await coordinator.process(booking_id, "creation")
    assert outcome.kind is OutcomeKind.CONFIRMED
    return outcome.tables


async def arrive(
    pool: AsyncConnectionPool[Connection], floor: StoredFloor, booking_id: UUID, minutes: int
) -> Seated:
    """Its guests arrive `minutes` after START and are seated at the door."""
    async with pool.connection() as conn, conn.transaction():
        return await seat_arrival(
            conn,
            floor,
            RULES,
            booking_id,
            now=START + timedelta(minutes=minutes),
            actor="test",
            repack_budget_ms=BUDGET,
        )


async def held_until(pool: AsyncConnectionPool[Connection], booking_id: UUID) -> datetime | None:
    """The end of the booking's live occupancy (buffer included)."""
    async with pool.connection() as conn:
        row = await (
            await conn.execute(
                "SELECT max(upper(during)) AS until FROM allocations "
                "WHERE booking_id = %s AND released_at IS NULL",
                (booking_id,),
            )
        ).fetchone()
    return None if row is None else row["until"]
