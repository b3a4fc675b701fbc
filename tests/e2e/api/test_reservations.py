"""An accepted booking is a promise: parallel creates never oversell, and what was accepted with
the workers down is all seated once they run — on both the V3 and the legacy route."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx
import pytest

from e2e.api.kit import START, Api, api_settings, at, floor_doc, serving
from seatflow.api import create_app
from seatflow.documents import parse_restaurant
from seatflow.domain.combinations import combinations_for

pytestmark = pytest.mark.parametrize("v3", [True, False], ids=["v3", "legacy"])

FLOOR = parse_restaurant(floor_doc("alpha"))
BURST = 20
#: One key sends the whole burst: the per-key limit (429) is not what this test is about.
UNTHROTTLED = {"SEATFLOW_KEY_CONCURRENCY": BURST}


@asynccontextmanager
async def another_process(api: Api, v3: bool) -> AsyncIterator[httpx.AsyncClient]:
    """A second app (own pool, own in-process locks) on the same database: only the database's
    version claim keeps the two from overselling."""
    settings = api_settings(api.url, FEATURE_ASSIGNMENT_PIPELINE_V3=v3, **UNTHROTTLED)
    app = create_app(settings, api.url, pool_size=4)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://seatflow.test") as client,
    ):
        yield client


def most_seatable(parties: Sequence[int], extra: int) -> int:
    """Brute force from the domain's combinations: the most of `extra` more pairs that fit
    beside `parties`, all at the same time (so no two may share a table)."""

    def fits(wanted: list[int], used: frozenset[str]) -> bool:
        if not wanted:
            return True
        return any(
            not used & set(c.tables) and fits(wanted[1:], used | set(c.tables))
            for c in combinations_for(FLOOR, wanted[0])
        )

    return max(k for k in range(extra + 1) if fits([*parties, *[2] * k], frozenset()))


async def settle_all(api: Api) -> dict[str, int]:
    """Run the assignment for every open booking, oldest first, as the workers would (a retry
    runs again at once), and count the bookings by assignment state."""
    rows = await api.sql("SELECT id FROM bookings ORDER BY created_at, id")
    for row in rows:
        for _ in range(10):
            routed = await api.state.services.router.run(row["id"], "creation")
            if routed.outcome.settled or routed.outcome.kind.value == "noop":
                break
    counts = await api.sql(
        "SELECT assignment_state AS state, count(*) AS n FROM bookings GROUP BY 1"
    )
    return {row["state"]: int(row["n"]) for row in counts}


async def test_a_burst_for_the_last_room_accepts_exactly_what_fits(db_url: str, v3: bool) -> None:
    """20 parallel pairs (over two app processes) for a slot where one four is already booked:
    exactly the seatable number is accepted, the rest 409, and all accepted are then seated."""
    async with serving(db_url, FEATURE_ASSIGNMENT_PIPELINE_V3=v3, **UNTHROTTLED) as api:
        assert (await api.book(4, wait_ms=2000)).status_code == 201
        async with another_process(api, v3) as other:

            async def book(k: int) -> httpx.Response:
                if k % 2 == 0:
                    return await api.book(2)
                body = {"party_size": 2, "start_at": at()}
                return await other.post(
                    "/v1/restaurants/alpha/bookings", json=body, headers=api.auth("alpha")
                )

            answers = await asyncio.gather(*(book(k) for k in range(BURST)))
        codes = sorted(r.status_code for r in answers)
        seatable = most_seatable([4], BURST)
        assert seatable == 3  # A, the other four-top and the terrace two
        assert codes == [201] * seatable + [409] * (BURST - seatable)
        refused = [r.json() for r in answers if r.status_code == 409]
        assert {body["error"] for body in refused} == {"no_availability"}
        offered = refused[0]["alternatives"]
        assert offered and (await api.book(2, offered[0])).status_code == 201
        states = await settle_all(api)
        assert states == {"confirmed": seatable + 2}


async def test_what_was_accepted_with_the_workers_down_is_all_seated(db_url: str, v3: bool) -> None:
    """Mixed parties over an evening, accepted until the floor is promised out with no worker
    running: once the assignments run, every accepted booking is confirmed, none in review."""
    rng = random.Random(10)
    async with serving(db_url, FEATURE_ASSIGNMENT_PIPELINE_V3=v3) as api:
        accepted = refused = 0
        for _ in range(60):
            start: datetime = START + timedelta(minutes=15 * rng.randrange(12))
            response = await api.book(rng.choice([1, 2, 2, 3, 4, 6, 8]), start.isoformat())
            assert response.status_code in (201, 409), response.text
            accepted += response.status_code == 201
            refused += response.status_code == 409
        assert accepted > 0 and refused > 0
        states = await settle_all(api)
        assert states == {"confirmed": accepted}
