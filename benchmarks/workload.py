"""The throughput workload: the sample floor copied into many restaurants, each given the
sample's booking stream over several evenings, keeping only the requests the floor seats as they
arrive without re-packing (computed offline with the same planner)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from seatflow.documents import parse_scenario_text
from seatflow.domain.floor import FloorPlan
from seatflow.domain.scenario import BookingRequest, Scenario
from seatflow.jobs.evening import shift_into_future
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Occupant, Plan, PlanRequest

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "seatflow" / "data" / "sample-evening.json"


@dataclasses.dataclass(frozen=True)
class Workload:
    floors: list[FloorPlan]
    peak: list[tuple[str, BookingRequest]]  # (slug, request), interleaved across restaurants
    paced: list[tuple[str, BookingRequest]]


def seated_directly(scenario: Scenario) -> list[BookingRequest]:
    """The requests the floor seats in arrival order without moving anyone (planner only)."""
    floor = scenario.floor
    occupants: list[Occupant] = []
    kept: list[BookingRequest] = []
    for request in sorted(scenario.bookings, key=lambda b: (b.requested_at, b.ref)):
        start, end = floor.policy.occupancy(
            request.start_at, request.party_size, request.duration_minutes
        )
        probe = PlanRequest(
            booking_id=request.ref,
            party_size=request.party_size,
            start=start,
            end=end,
            zone_preference=request.zone_preference,
        )
        plan = plan_v3(floor, probe, occupants, repack_budget_ms=0)
        if isinstance(plan, Plan) and not plan.moves:
            occupants.append(
                Occupant(
                    booking_id=request.ref,
                    party_size=request.party_size,
                    start=start,
                    end=end,
                    tables=plan.tables,
                    movable=True,
                    zone_preference=request.zone_preference,
                )
            )
            kept.append(request)
    return kept


def build_workload(restaurants: int, evenings: int) -> Workload:
    scenario = shift_into_future(parse_scenario_text(SAMPLE.read_text()), datetime.now(UTC))
    base = seated_directly(scenario)
    floors = [
        dataclasses.replace(scenario.floor, slug=f"bench-{i:02d}", name=f"Bench {i:02d}")
        for i in range(restaurants)
    ]
    stream: list[list[tuple[str, BookingRequest]]] = []
    for day in range(evenings):
        shift = timedelta(days=day)
        evening = []
        for request in base:
            for floor in floors:
                moved = dataclasses.replace(
                    request,
                    ref=f"{request.ref}-d{day}",
                    start_at=request.start_at + shift,
                    requested_at=request.requested_at + shift,
                )
                evening.append((floor.slug, moved))
        stream.append(evening)
    peak = [item for evening in stream[:-1] for item in evening]
    return Workload(floors=floors, peak=peak, paced=stream[-1])
