"""Random floors and booking streams through both pipelines on the real database: every
confirmed booking's tables obey the seating rules and no table is double-booked, as judged by
an independent checker (tests/support/scenarios.py) that shares no code with the engines."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seatflow.documents import parse_scenario
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.flags import PipelineFlags
from seatflow.settings import Settings
from seatflow.sim.simulate import Simulation, flags_for
from support.scenarios import independent_violations

EVENING = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    zones = draw(st.sampled_from([["main"], ["main", "patio"]]))
    count = draw(st.integers(3, 7))
    tables = []
    for i in range(count):
        capacity = draw(st.integers(1, 6))
        tables.append(
            {
                "key": f"T{i}",
                "zone": draw(st.sampled_from(zones)),
                "capacity": capacity,
                "min_party": draw(st.integers(1, capacity)),
                "combinable": draw(st.booleans()),
            }
        )
    pairs = [[f"T{i}", f"T{j}"] for i in range(count) for j in range(i + 1, count)]
    adjacency = draw(st.lists(st.sampled_from(pairs), unique_by=tuple, max_size=count + 2))
    bookings = []
    for n in range(draw(st.integers(3, 14))):
        start = EVENING + timedelta(minutes=15 * draw(st.integers(0, 16)))
        bookings.append(
            {
                "ref": f"R{n:03d}",
                "requested_at": (EVENING - timedelta(days=3, minutes=-n)).isoformat(),
                "start_at": start.isoformat(),
                "party_size": draw(st.integers(1, 9)),
                "zone_preference": draw(st.none() | st.sampled_from(zones)),
            }
        )
    return {
        "format": "seatflow.scenario/v1",
        "name": "property",
        "restaurant": {
            "slug": "prop",
            "name": "Property",
            "timezone": "UTC",
            "policy": {
                "turn_minutes": [{"max_party": 2, "minutes": 60}, {"max_party": 99, "minutes": 90}],
                "buffer_minutes": draw(st.sampled_from([0, 15])),
                "max_tables_per_booking": draw(st.integers(1, 3)),
            },
            "zones": [{"key": z, "name": z} for z in zones],
            "tables": tables,
            "adjacency": adjacency,
        },
        "bookings": bookings,
    }


async def _simulate(url: str, document: dict[str, Any], pipeline: str) -> dict[str, Any]:
    from seatflow.bootstrap import services

    settings = Settings(DATABASE_URL=url, SEATFLOW_REPACK_BUDGET_MS=2000)
    clock = SimulatedClock()
    flags = flags_for(pipeline, PipelineFlags())
    async with services(settings, url, clock=clock, flags=flags, seed=1) as wired:
        return await Simulation(parse_scenario(document), pipeline, wired, clock).run()


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=scenarios())
def test_both_pipelines_only_ever_produce_valid_assignments(
    db_url: str, document: dict[str, Any]
) -> None:
    """Whatever the floor and the stream, confirmed tables are valid and never shared."""
    for pipeline in ("legacy", "v3"):
        result = asyncio.run(_simulate(db_url, document, pipeline))
        assert independent_violations(document, result) == [], pipeline
        assert len(result["assignments"]) == len(document["bookings"])
