"""Fair shares: each key's expensive calls are bounded (429), and a search plans without
holding a connection of the shared pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from e2e.api.kit import START, Api, at, serving
from seatflow.api.availability import DAY_BUDGET, bookable_starts, day_starts
from seatflow.pipeline.flags import Route
from seatflow.store.floors import load_floor

T = TypeVar("T")


def _prefix(token: str) -> str:
    return token.split("_")[1]


async def test_a_key_at_its_limit_gets_429_and_others_do_not(db_url: str) -> None:
    """With its one slot taken, a key's create and availability are refused with 429,
    Retry-After and the JSON error body; another restaurant's key is served as usual."""
    async with serving(db_url, SEATFLOW_KEY_CONCURRENCY=1) as api:
        alpha = _prefix(api.keys["alpha"])
        assert api.state.limiter.try_acquire(alpha)
        refused = [
            await api.book(2),
            await api.client.get(
                "/v1/restaurants/alpha/availability",
                params={"party_size": 2, "date": START.date().isoformat()},
                headers=api.auth("alpha"),
            ),
        ]
        for response in refused:
            assert response.status_code == 429, response.text
            assert response.headers["Retry-After"] == "1"
            body = response.json()
            assert (body["error"], body["field"]) == ("too_many_requests", "Authorization")
        assert (await api.book(2, who="beta", slug="beta")).status_code == 201
        api.state.limiter.release(alpha)
        assert (await api.book(2)).status_code == 201
        assert api.state.limiter.in_flight == {}


async def test_planning_holds_no_pool_connection(api: Api) -> None:
    """A day's search reads occupancy, gives the connection back, and only then plans."""
    assert (await api.book(4, at(hours=0))).status_code == 201
    pool = api.state.pool
    seen: list[int] = []

    async def offload(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        stats = pool.get_stats()
        seen.append(stats["pool_size"] - stats["pool_available"])
        return fn(*args, **kwargs)

    async with pool.connection() as conn:
        floor = await load_floor(conn, "alpha")
    times = await bookable_starts(
        pool,
        floor,
        2,
        day_starts(floor.plan, START.date()),
        now=api.state.clock.now(),
        route=Route.V3,
        budget=DAY_BUDGET,
        offload=offload,
    )
    assert times and seen == [0]
