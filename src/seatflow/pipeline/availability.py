"""Can the floor seat a request at its time? The same check for simulate and the API.

V3 answers "yes" when some re-arrangement of the confirmed future bookings makes room (re-pack);
the legacy path only when free tables fit as they stand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from seatflow.domain.floor import FloorPlan, interned
from seatflow.domain.scenario import BookingRequest
from seatflow.domain.service import ServiceRules
from seatflow.pipeline.flags import Route
from seatflow.planning.engine import plan_v3
from seatflow.planning.legacy import plan_legacy
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest
from seatflow.planning.reservation import reserve_legacy, reserve_v3
from seatflow.store.bookings import NewBooking
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.occupancy import load_occupants


def booking_row(
    floor: StoredFloor,
    request: BookingRequest,
    *,
    simulated: bool = True,
    rules: ServiceRules | None = None,
) -> NewBooking:
    """The row a scenario's request becomes once accepted: its window from the restaurant's turn
    times, marked simulated (a scenario stream is a simulation's, never a guest's) unless a test
    stands it in for a live evening."""
    policy, start_at = floor.plan.policy, request.start_at
    if rules is not None:  # a service period may have its own turn table
        start, end = rules.occupancy(policy, start_at, request.party_size, request.duration_minutes)
    else:
        start, end = policy.occupancy(start_at, request.party_size, request.duration_minutes)
    return NewBooking(
        restaurant_id=floor.restaurant_id,
        ref=request.ref,
        party_size=request.party_size,
        start_at=start,
        end_at=end,
        duration_minutes=request.duration_minutes,
        zone_preference=request.zone_preference,
        requested_at=request.requested_at,
        simulated=simulated,
        source=request.source,
    )


def probe(row: NewBooking) -> PlanRequest:
    """What the planners are asked about a request not yet written (it has no booking id)."""
    return PlanRequest(
        booking_id=f"request:{row.ref}",
        party_size=row.party_size,
        start=row.start_at,
        end=row.end_at,
        zone_preference=row.zone_preference,
    )


async def check_availability(
    conn: Connection,
    floor: StoredFloor,
    request: PlanRequest,
    *,
    now: datetime,
    route: Route,
    repack_budget_ms: int,
) -> Plan | PlanFailure:
    occupants = await load_occupants(conn, floor, start=request.start, end=request.end, now=now)
    return await asyncio.to_thread(  # never on the event loop
        plan_for_route, floor.plan, request, occupants, route, repack_budget_ms
    )


def plan_for_route(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    route: Route,
    repack_budget_ms: int,
) -> Plan | PlanFailure:
    """The planner of the route decides: V3 (re-pack aware) or legacy (free tables only)."""
    if route is Route.V3:
        return plan_v3(floor, request, occupants, repack_budget_ms=repack_budget_ms)
    return plan_legacy(floor, request, occupants)


def reserve_for_route(
    floor: FloorPlan,
    request: PlanRequest,
    unplaced: Sequence[PlanRequest],
    occupants: Sequence[Occupant],
    route: Route,
    repack_budget_ms: int,
) -> Plan | PlanFailure:
    """Can the request be promised beside the accepted, unplaced bookings? V3 re-packs them all
    jointly; legacy and shadow (whose bookings the legacy loop seats) replay the legacy planner."""
    floor = interned(floor)
    if route is Route.V3:
        return reserve_v3(floor, request, unplaced, occupants, budget_ms=repack_budget_ms)
    return reserve_legacy(floor, request, unplaced, occupants)
