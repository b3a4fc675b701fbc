"""When near a requested time can the floor still take a party? And over a whole day?

A start counts only if create would accept it there: the request together with every booking
accepted but not yet placed can be seated (`planning.reservation`), so no time is offered that
create would then refuse. The snapshot (`store.reservations`) is read first — given the pool
rather than a connection, a search holds a connection only while it reads, never while it plans —
then planning runs off the event loop (`offload`: the API's planning processes).

Searches over many start times (alternatives, the day grid) read the snapshot once and share one
time budget, so a full restaurant answers in bounded time rather than budget × candidates. Starts
are settled without the solver: free tables (greedy, the unplaced bookings first) say yes,
`planning.bounds` a certain no, a short shuffle a certain yes; a start that needs a longer
re-arrangement is left out (it may still be bookable: create runs the exact re-pack).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import ParamSpec, Protocol, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog
from psycopg_pool import AsyncConnectionPool

from seatflow.domain import service
from seatflow.domain.floor import FloorPlan, interned
from seatflow.domain.service import PacedBooking, ServiceRules, pacing_allows
from seatflow.pipeline.flags import Route
from seatflow.planning.index import floor_index
from seatflow.planning.model import Occupant, Plan, PlanRequest
from seatflow.planning.occupancy_index import OccupancyIndex
from seatflow.planning.reservation import reserve_legacy, reserve_v3
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.live_service import paced_reservations
from seatflow.store.reservations import Reservations, read_snapshot

__all__ = [
    "ALTERNATIVES_BUDGET",
    "DAY_BUDGET",
    "NEW_REQUEST",
    "Offload",
    "SearchBudget",
    "alternatives",
    "bookable_starts",
    "day_starts",
    "fitting_starts",
    "nearby_starts",
    "plan_request",
    "restaurant_zone",
    "within_pacing",
]

log = structlog.get_logger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class Offload(Protocol):
    """Run a pure function off the event loop (`asyncio.to_thread` is one)."""

    def __call__(
        self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> Awaitable[T]: ...


#: A connection for one statement, or the pool to take one from just for the read.
Database = Connection | AsyncConnectionPool[Connection]

#: The booking id a request that does not exist yet plans under (it matches no occupant).
NEW_REQUEST = "request:new"
STEP = timedelta(minutes=15)
ALTERNATIVE_REACH = timedelta(hours=2)
MAX_ALTERNATIVES = 3
#: Starts the rules allow that an alternatives search may try (as many as ±2 h holds).
MAX_CANDIDATES = 16
#: A v1 restaurant (no periods) seats any time: the rules then only ever refuse closures.
OPEN_ALWAYS = ServiceRules()
SERVICE_OPENS = clock_time(11, 0)
SERVICE_CLOSES = clock_time(23, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchBudget:
    """Time a multi-start search may spend looking past free tables (the bound and a short
    shuffle, `planning.engine.can_seat`), `total_ms` for all starts; once it is spent the
    remaining starts are judged on free tables alone."""

    total_ms: int = 30


#: Nearby times for a refused create (up to 16 starts, stopping at three found).
ALTERNATIVES_BUDGET = SearchBudget(total_ms=30)
#: A day's grid (48 starts). On the booked-up 60-table day of benchmarks/api_latency.py, 20 ms
#: finds 35 of the 36 bookable starts for a party of four and 32 of 35 for six (30 ms: 36 and
#: 33); parties of two need no search. The deadline bounds the shuffle too, so a day's planning
#: takes at most about the budget plus the free-table checks (~21 ms there).
DAY_BUDGET = SearchBudget(total_ms=20)


def plan_request(
    floor: FloorPlan,
    *,
    start: datetime,
    party_size: int,
    zone_preference: str | None,
    booking_id: str = NEW_REQUEST,
    rules: ServiceRules = OPEN_ALWAYS,
) -> PlanRequest:
    """The request for `party_size` at `start`, its window from the venue's turn times (those of
    the start's service period when it has its own)."""
    begin, end = rules.occupancy(floor.policy, start, party_size)
    return PlanRequest(
        booking_id=booking_id,
        party_size=party_size,
        start=begin,
        end=end,
        zone_preference=zone_preference,
    )


def nearby_starts(start: datetime) -> list[datetime]:
    """±15-minute steps within ±2 h, nearest first, the earlier one first on a tie."""
    steps = int(ALTERNATIVE_REACH / STEP)
    result: list[datetime] = []
    for k in range(1, steps + 1):
        result += [start - k * STEP, start + k * STEP]
    return result


async def alternatives(
    db: Database,
    floor: StoredFloor,
    request: PlanRequest,
    *,
    now: datetime,
    route: Route,
    budget: SearchBudget,
    exclude: UUID | None = None,
    offload: Offload = asyncio.to_thread,
    rules: ServiceRules = OPEN_ALWAYS,
    horizon: datetime | None = None,
) -> list[datetime]:
    """Up to three nearby start times at which the rules, pacing and the floor take the same
    party: within the service periods (the evening's first for a 04:00 request) when the
    restaurant has any, else ±2 h; none past `horizon`."""
    starts = _candidates(request.start, now, rules, horizon)
    starts = await within_pacing(
        db, floor.restaurant_id, rules, starts, request.party_size, exclude=exclude
    )
    moved = [_moved(floor.plan, request, s, rules) for s in starts]
    return await _search(
        db,
        floor,
        moved,
        now=now,
        route=route,
        budget=budget,
        exclude=exclude,
        want=MAX_ALTERNATIVES,
        offload=offload,
    )


def _candidates(
    start: datetime, now: datetime, rules: ServiceRules, horizon: datetime | None
) -> list[datetime]:
    """Starts near `start` the rules allow, nearest first."""

    def bookable(s: datetime) -> bool:
        return now < s and (horizon is None or s <= horizon) and rules.refusal(s) is None

    if rules.restricted:
        return service.nearby_starts(rules, start, bookable, limit=MAX_CANDIDATES)
    return [s for s in nearby_starts(start) if bookable(s)]


async def within_pacing(
    db: Database,
    restaurant_id: UUID,
    rules: ServiceRules,
    starts: Sequence[datetime],
    party_size: int,
    *,
    exclude: UUID | None = None,
) -> list[datetime]:
    """Those of `starts` whose pacing slot still takes the party: one read covers them all (none
    when no start is paced)."""
    slots = [slot[1] for s in starts if (slot := rules.slot_of(s)) is not None]
    if not slots:
        return list(starts)
    widest = max(p.pacing.slot_minutes for p in rules.periods if p.pacing is not None)
    async with _connection(db) as conn:
        rows = await paced_reservations(
            conn,
            restaurant_id,
            start=min(slots),
            end=max(slots) + timedelta(minutes=widest),
            exclude=exclude,
        )
    others = [PacedBooking(start_at=begin, party_size=party) for begin, party in rows]
    return [s for s in starts if pacing_allows(rules, s, party_size, others)]


def restaurant_zone(floor: FloorPlan) -> ZoneInfo:
    """The restaurant's time zone; UTC (logged) for a name this machine does not know."""
    try:
        return ZoneInfo(floor.timezone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        log.warning("unknown_restaurant_timezone", restaurant=floor.slug, timezone=floor.timezone)
        return ZoneInfo("UTC")


def day_starts(floor: FloorPlan, day: date) -> list[datetime]:
    """Every 15-minute start from opening to before closing, in the restaurant's time zone."""
    zone = restaurant_zone(floor)
    current = datetime.combine(day, SERVICE_OPENS, tzinfo=zone)
    closes = datetime.combine(day, SERVICE_CLOSES, tzinfo=zone)
    starts = []
    while current < closes:
        starts.append(current)
        current += STEP
    return starts


async def bookable_starts(
    db: Database,
    floor: StoredFloor,
    party_size: int,
    starts: Sequence[datetime],
    *,
    now: datetime,
    route: Route,
    budget: SearchBudget,
    offload: Offload = asyncio.to_thread,
    rules: ServiceRules = OPEN_ALWAYS,
) -> list[datetime]:
    """Those of `starts` (in the future) at which the floor can seat `party_size`."""
    requests = [
        plan_request(
            floor.plan, start=start, party_size=party_size, zone_preference=None, rules=rules
        )
        for start in starts
        if start > now
    ]
    return await _search(
        db,
        floor,
        requests,
        now=now,
        route=route,
        budget=budget,
        want=len(requests),
        offload=offload,
    )


async def _search(
    db: Database,
    floor: StoredFloor,
    requests: Sequence[PlanRequest],
    *,
    now: datetime,
    route: Route,
    budget: SearchBudget,
    want: int,
    offload: Offload,
    exclude: UUID | None = None,
) -> list[datetime]:
    """The starts of the first `want` requests that fit, on occupancy read once for all."""
    if not requests:
        return []
    start, end = min(r.start for r in requests), max(r.end for r in requests)
    if isinstance(db, AsyncConnectionPool):
        async with db.connection() as conn:  # returned before planning starts
            snapshot = await read_snapshot(
                conn, floor, start=start, end=end, now=now, exclude=exclude
            )
    else:
        snapshot = await read_snapshot(db, floor, start=start, end=end, now=now, exclude=exclude)
    fitting = await offload(fitting_starts, floor.plan, requests, snapshot, route, budget, want)
    return [r.start for r in fitting]


def fitting_starts(
    floor: FloorPlan,
    requests: Sequence[PlanRequest],
    promised: Reservations,
    route: Route,
    budget: SearchBudget,
    want: int,
) -> list[PlanRequest]:
    """The first `want` requests, in the given order, that create would accept — as far as a
    search can tell without the solver: V3 looks past free tables (the bound, a short shuffle)
    while the total budget lasts, then at free tables alone; legacy only ever at free tables."""
    floor = interned(floor)
    deadline = time.monotonic() + budget.total_ms / 1000
    found: list[PlanRequest] = []
    day = _DayIndex(floor, promised)
    for request in requests:
        if len(found) >= want:
            break
        if _acceptable(floor, request, promised, route, deadline, day):
            found.append(request)
    return found


class _DayIndex:
    """One occupancy index per planning id for all the starts of a search (they share one)."""

    def __init__(self, floor: FloorPlan, promised: Reservations) -> None:
        self._floor, self._promised = floor, promised
        self._built: dict[str, tuple[list[Occupant], OccupancyIndex]] = {}

    def of(self, booking_id: str) -> tuple[list[Occupant], OccupancyIndex]:
        if booking_id not in self._built:
            others = [o for o in self._promised.occupants if o.booking_id != booking_id]
            self._built[booking_id] = (others, OccupancyIndex(floor_index(self._floor), others))
        return self._built[booking_id]


def _acceptable(
    floor: FloorPlan,
    request: PlanRequest,
    promised: Reservations,
    route: Route,
    deadline: float,
    day: _DayIndex,
) -> bool:
    unplaced = promised.unplaced
    if route is Route.V3:
        search = time.monotonic() < deadline
        others, occupancy = day.of(request.booking_id)
        judged = reserve_v3(
            floor,
            request,
            unplaced,
            others,
            budget_ms=0,
            search=search,
            deadline=deadline,
            occupancy=occupancy,
        )
    else:
        judged = reserve_legacy(floor, request, unplaced, promised.occupants)
    return isinstance(judged, Plan)


def _moved(
    floor: FloorPlan, request: PlanRequest, start: datetime, rules: ServiceRules
) -> PlanRequest:
    """The request at `start`, its window from the turn times there (a period may have its own)."""
    begin, end = rules.occupancy(floor.policy, start, request.party_size)
    return replace(request, start=begin, end=end)


@asynccontextmanager
async def _connection(db: Database) -> AsyncIterator[Connection]:
    """`db` itself, or a connection from it for just this read."""
    if isinstance(db, AsyncConnectionPool):
        async with db.connection() as conn, conn.transaction():
            yield conn
    else:
        yield db
