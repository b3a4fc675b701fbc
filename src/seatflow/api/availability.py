"""When near a requested time can the floor still take a party? And over a whole day?

A start counts only if create would accept it there: the request together with every booking
accepted but not yet placed can be seated (`pipeline.availability.reserve_for_route`), so no time
is offered that create would then refuse. The snapshot is read first, then planning — CPU work
that may search for up to the re-pack budget — runs in a worker thread instead of stalling every
other request on the event loop. Planning is pure, so that is safe.

Searches over many start times (alternatives, the day grid) read occupancy once and share one
time budget, so a full restaurant answers in bounded time rather than budget × candidates.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog

from seatflow.domain.floor import FloorPlan
from seatflow.pipeline.availability import reserve_for_route
from seatflow.pipeline.flags import Route
from seatflow.planning.model import Plan, PlanRequest
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.reservations import Reservations, read_snapshot

__all__ = [
    "NEW_REQUEST",
    "SearchBudget",
    "alternatives",
    "bookable_starts",
    "day_starts",
    "fitting_starts",
    "nearby_starts",
    "plan_request",
    "restaurant_zone",
]

log = structlog.get_logger(__name__)

#: The booking id a request that does not exist yet plans under (it matches no occupant).
NEW_REQUEST = "request:new"
STEP = timedelta(minutes=15)
ALTERNATIVE_REACH = timedelta(hours=2)
MAX_ALTERNATIVES = 3
SERVICE_OPENS = clock_time(11, 0)
SERVICE_CLOSES = clock_time(23, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchBudget:
    """Re-pack time for a multi-start search: `per_start_ms` each, `total_ms` for all; once the
    total is spent the remaining starts are judged on free tables alone (budget 0)."""

    per_start_ms: int = 200
    total_ms: int = 3000


def plan_request(
    floor: FloorPlan,
    *,
    start: datetime,
    party_size: int,
    zone_preference: str | None,
    booking_id: str = NEW_REQUEST,
) -> PlanRequest:
    """The request for `party_size` at `start`, its window from the venue's turn times."""
    begin, end = floor.policy.occupancy(start, party_size)
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
    conn: Connection,
    floor: StoredFloor,
    request: PlanRequest,
    *,
    now: datetime,
    route: Route,
    budget: SearchBudget,
    exclude: UUID | None = None,
) -> list[datetime]:
    """Up to three nearby start times at which the floor can seat the same party."""
    moved = [_moved(request, s) for s in nearby_starts(request.start) if s > now]
    return await _search(
        conn,
        floor,
        moved,
        now=now,
        route=route,
        budget=budget,
        exclude=exclude,
        want=MAX_ALTERNATIVES,
    )


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
    conn: Connection,
    floor: StoredFloor,
    party_size: int,
    starts: Sequence[datetime],
    *,
    now: datetime,
    route: Route,
    budget: SearchBudget,
) -> list[datetime]:
    """Those of `starts` (in the future) at which the floor can seat `party_size`."""
    requests = [
        plan_request(floor.plan, start=start, party_size=party_size, zone_preference=None)
        for start in starts
        if start > now
    ]
    return await _search(
        conn, floor, requests, now=now, route=route, budget=budget, want=len(requests)
    )


async def _search(
    conn: Connection,
    floor: StoredFloor,
    requests: Sequence[PlanRequest],
    *,
    now: datetime,
    route: Route,
    budget: SearchBudget,
    want: int,
    exclude: UUID | None = None,
) -> list[datetime]:
    """The starts of the first `want` requests that fit, on occupancy read once for all."""
    if not requests:
        return []
    snapshot = await read_snapshot(
        conn,
        floor,
        start=min(r.start for r in requests),
        end=max(r.end for r in requests),
        now=now,
        exclude=exclude,
    )
    fitting = await asyncio.to_thread(
        fitting_starts,
        floor.plan,
        requests,
        snapshot,
        route,
        budget,
        want,
    )
    return [r.start for r in fitting]


def fitting_starts(
    floor: FloorPlan,
    requests: Sequence[PlanRequest],
    promised: Reservations,
    route: Route,
    budget: SearchBudget,
    want: int,
) -> list[PlanRequest]:
    """The first `want` requests, in the given order, that create would accept."""
    deadline = time.monotonic() + budget.total_ms / 1000
    found: list[PlanRequest] = []
    for request in requests:
        if len(found) >= want:
            break
        left_ms = int((deadline - time.monotonic()) * 1000)
        budget_ms = max(0, min(budget.per_start_ms, left_ms))
        judged = reserve_for_route(
            floor, request, promised.unplaced, promised.occupants, route, budget_ms
        )
        if isinstance(judged, Plan):
            found.append(request)
    return found


def _moved(request: PlanRequest, start: datetime) -> PlanRequest:
    return replace(request, start=start, end=start + (request.end - request.start))
