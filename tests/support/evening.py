"""A real evening, simulated in-process, whose events land in the last hour of real time — so the
runbook's `created_at >= now() - interval '…'` queries see it whatever today's date is. It stands
for a live evening, so neither its bookings nor its events are marked simulated."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from seatflow.bootstrap import Services, services
from seatflow.documents import parse_scenario
from seatflow.domain.scenario import BookingRequest
from seatflow.pipeline.availability import booking_row
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.flags import PipelineFlags
from seatflow.settings import Settings
from seatflow.sim.simulate import Simulation, flags_for
from seatflow.store.bookings import insert_booking
from seatflow.store.floors import load_floor
from seatflow.store.locks import try_lock_booking

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "dev-05-t24-l0.8.json"


def recent(document: dict[str, Any], slug: str, now: datetime) -> dict[str, Any]:
    """The scenario as restaurant `slug`, its requests spread in order over the 40 minutes
    ending 10 minutes ago, the service itself moved to two days from now (times of day kept)."""
    bookings = sorted(document["bookings"], key=lambda b: b["requested_at"])
    first_day = min(datetime.fromisoformat(b["start_at"]) for b in bookings).date()
    shift = timedelta(days=(now.date() - first_day).days + 2)
    step = timedelta(minutes=40) / max(len(bookings), 1)
    opening = now - timedelta(minutes=50)
    moved = [
        {
            **booking,
            "requested_at": (opening + index * step).isoformat(),
            "start_at": (datetime.fromisoformat(booking["start_at"]) + shift).isoformat(),
        }
        for index, booking in enumerate(bookings)
    ]
    restaurant = {**document["restaurant"], "slug": slug, "name": f"Evening {slug}"}
    return {**document, "restaurant": restaurant, "bookings": moved}


@dataclass(frozen=True, slots=True, kw_only=True)
class Evening:
    """One pipeline's run: the restaurant, the scenario it ran, and every outcome its router
    returned (the simulation's, then the late walk-ins')."""

    pipeline: str
    slug: str
    scenario: dict[str, Any]
    result: dict[str, Any]
    outcomes: Counter[str]
    invocations: int


async def run_evening(url: str, pipeline: str, *, walk_ins: int = 0) -> Evening:
    """The sample scenario through `pipeline` (legacy | v3 | shadow) as restaurant `ev-<pipeline>`,
    wired as `seatflow simulate` wires it, with the default (unmarked) event sink; then
    `walk_ins` of the requests it turned away are written anyway and run to the end (retries,
    then review), the first while another session holds its lock (lock contention)."""
    slug = f"ev-{pipeline}"
    document = recent(json.loads(SAMPLE.read_text()), slug, datetime.now(UTC))
    settings = Settings(_env_file=None, DATABASE_URL=url, SEATFLOW_REPACK_BUDGET_MS=300)  # type: ignore[call-arg]
    clock = SimulatedClock()
    flags = flags_for(pipeline, PipelineFlags())
    async with services(settings, url, clock=clock, flags=flags, seed=7) as wired:
        scenario = parse_scenario(document)
        simulation = Simulation(scenario, pipeline, wired, clock, simulated=False)
        result = await simulation.run()
        outcomes = Counter(simulation.stats.outcomes)
        turned_away = [r for r in result["assignments"] if r["outcome"] == "rejected"]
        refs = {entry["ref"] for entry in turned_away[:walk_ins]}
        late = [request for request in scenario.bookings if request.ref in refs]
        invocations = simulation.stats.invocations + await _walk_in(
            wired, clock, slug, late, outcomes
        )
        await wired.sink.flush()
    return Evening(
        pipeline=pipeline,
        slug=slug,
        scenario=document,
        result=result,
        outcomes=outcomes,
        invocations=invocations,
    )


async def _walk_in(
    wired: Services,
    clock: SimulatedClock,
    slug: str,
    requests: list[BookingRequest],
    outcomes: Counter[str],
) -> int:
    """Write each request as a booking though the floor is full and run it until it settles."""
    async with wired.pool.connection() as conn:
        floor = await load_floor(conn, slug)
    runs = 0
    for index, request in enumerate(requests):
        async with wired.pool.connection() as conn, conn.transaction():
            booking = await insert_booking(conn, booking_row(floor, request, simulated=False))
        if index == 0:
            async with wired.pool.connection() as holder, holder.transaction():
                assert await try_lock_booking(holder, booking.id)
                outcomes[(await wired.router.run(booking.id, "creation")).outcome.kind] += 1
                runs += 1
        for _ in range(10):  # the retry budget is 5 attempts
            routed = await wired.router.run(booking.id, "retry")
            outcomes[routed.outcome.kind] += 1
            runs += 1
            if routed.outcome.delay is None:
                break
            clock.advance(routed.outcome.delay)
    return runs
