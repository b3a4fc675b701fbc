"""The booked-up evening of the API latency benchmark: a scenario's stream placed offline by V3
(re-pack moves applied), and the (start, party) pairs it refuses or seats on free tables."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from seatflow.domain.scenario import Scenario
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Occupant, Plan, PlanRequest

#: The booked-up evening: each request with the tables it ends up on.
Placed = list[tuple[Any, tuple[str, ...]]]


def booked_up(scenario: Scenario) -> Placed:
    """The stream placed by V3 in arrival order, moves applied: (request, final tables)."""
    floor = scenario.floor
    placed: dict[str, Occupant] = {}
    requests = {}
    for booking in sorted(scenario.bookings, key=lambda b: (b.requested_at, b.ref)):
        start, end = floor.policy.occupancy(
            booking.start_at, booking.party_size, booking.duration_minutes
        )
        probe = PlanRequest(
            booking_id=booking.ref, party_size=booking.party_size, start=start, end=end
        )
        plan = plan_v3(floor, probe, tuple(placed.values()), repack_budget_ms=2000)
        if not isinstance(plan, Plan):
            continue
        for move in plan.moves:
            placed[move.booking_id] = dataclasses.replace(
                placed[move.booking_id], tables=move.to_tables
            )
        placed[booking.ref] = Occupant(
            booking_id=booking.ref,
            party_size=booking.party_size,
            start=start,
            end=end,
            tables=plan.tables,
            movable=True,
        )
        requests[booking.ref] = booking
    return [(requests[ref], o.tables) for ref, o in placed.items()]


def probes(
    scenario: Scenario, placed: Placed
) -> tuple[list[tuple[datetime, int]], list[tuple[datetime, int]]]:
    """(start, party) pairs the booked-up floor refuses (even re-packed) and ones that fit now."""
    floor = scenario.floor
    occupants = [
        Occupant(
            booking_id=r.ref,
            party_size=r.party_size,
            start=floor.policy.occupancy(r.start_at, r.party_size, r.duration_minutes)[0],
            end=floor.policy.occupancy(r.start_at, r.party_size, r.duration_minutes)[1],
            tables=tables,
            movable=True,
        )
        for r, tables in placed
    ]
    day = scenario.bookings[0].start_at.replace(hour=0, minute=0, second=0)
    full, free = [], []
    for minutes in range(11 * 60, 23 * 60, 15):
        start = day + timedelta(minutes=minutes)
        for party in (2, 4, 6):
            begin, end = floor.policy.occupancy(start, party)
            request = PlanRequest(booking_id="probe", party_size=party, start=begin, end=end)
            direct = plan_v3(floor, request, occupants, repack_budget_ms=0)
            if isinstance(direct, Plan):
                free.append((start, party))
            elif not isinstance(plan_v3(floor, request, occupants, repack_budget_ms=5000), Plan):
                full.append((start, party))
    return full, free
