"""The API while its database is away: 503 `database_unavailable` with Retry-After (never a 500),
recovery on its own, and a committed write answered as committed even if the read-back fails."""

from __future__ import annotations

import asyncio
from typing import Any

from e2e.api.kit import Api
from seatflow.api.auth import Principal, Scope
from seatflow.api.bookings import reloaded_view
from seatflow.api.schemas import BookingOut
from support.pooler import kills_server_sessions

TERMINATE_OTHERS = (
    "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def _until(api: Api, status: int, call: Any, tries: int = 100) -> Any:
    """Call until the answer has `status` (the API probes on its own; this only waits)."""
    for _ in range(tries):
        response = await call()
        if response.status_code == status:
            return response
        await asyncio.sleep(0.1)
    raise AssertionError(f"never answered {status}; last: {response.status_code} {response.text}")


@kills_server_sessions
async def test_a_killed_connection_is_503_with_retry_after_then_recovers(api: Api) -> None:
    """Every pooled connection terminated by the server (as a restart does): the request that
    meets it gets 503 `database_unavailable` with Retry-After, later requests succeed again."""
    assert (await api.book(2)).status_code == 201
    assert (await api.sql(TERMINATE_OTHERS))[0]["n"] >= 1
    refused = await api.book(2)
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "2"
    assert refused.json() == {
        "error": "database_unavailable",
        "field": None,
        "detail": "the database is unavailable; retry shortly",
    }
    await _until(api, 201, lambda: api.book(2))
    metrics = (await api.client.get("/metrics")).text
    assert "seatflow_database_outages_total 1.0" in metrics
    assert "seatflow_database_up 1.0" in metrics


async def test_readyz_is_503_and_healthz_200_while_the_pool_is_gone(api: Api) -> None:
    """Without a usable pool /readyz says unavailable (503) and /healthz still says alive."""
    await api.state.pool.close()
    ready = await api.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("unreachable")
    assert (await api.client.get("/healthz")).status_code == 200
    refused = await api.client.get("/v1/restaurants/alpha/bookings/x", headers=api.auth("alpha"))
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "2"


async def test_a_committed_booking_answers_as_committed_when_the_read_back_fails(api: Api) -> None:
    """A read after the commit that meets the outage returns the booking as the transaction
    wrote it, not an error (a client that retried would book twice)."""
    created = await api.book(2)
    committed = BookingOut.model_validate(created.json())
    state = api.state
    async with state.pool.connection() as conn:
        floor = await state.floors.by_slug(conn, "alpha")
    principal = Principal(key_prefix="test", restaurant_id=floor.restaurant_id, is_admin=False)
    await state.pool.close()
    answer = await reloaded_view(state, Scope(principal=principal, floor=floor), committed, "t", 0)
    assert answer == committed
