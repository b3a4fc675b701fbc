"""How many times a booking's creation waits for PostgreSQL, counted from libpq's protocol trace
of every connection the app opens (a round trip is one run of messages sent, then answered).

Each wait is latency a client sees and a connection held; the figure is in docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from e2e.api.kit import at, serving
from seatflow.store.round_trips import RoundTripTrace

#: The key and the restaurant row 1 (read together), the acceptance snapshot 1 (its reads and
#: its COMMIT together), the write transaction 2 (its BEGIN, the version claim, the row, the
#: state walk and the job together — a lost claim fails them all; then COMMIT), and no
#: read-back: the answer is built from what was written. A restaurant with pacing adds its
#: count, made twice (before planning and in the write); an Idempotency-Key adds its claim.
CREATE_ROUND_TRIPS = 4


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> RoundTripTrace:
    """Every async connection opened from now on is traced."""
    trace = RoundTripTrace(tmp_path)
    connect = psycopg.AsyncConnection.connect.__func__  # type: ignore[attr-defined]

    async def traced_connect(cls: Any, *args: Any, **kwargs: Any) -> Any:
        conn = await connect(cls, *args, **kwargs)
        trace.watch(conn)
        return conn

    monkeypatch.setattr(psycopg.AsyncConnection, "connect", classmethod(traced_connect))
    return trace


async def test_a_create_waits_for_the_server_four_times(
    db_url: str, traced: RoundTripTrace
) -> None:
    """With the restaurant's floor and rules cached (any request after the first). The event
    sink's timed flush may fall inside one create's count and add to it, never take from it:
    the fewest of three is the create's own."""
    async with serving(db_url) as api:
        assert (await api.book(2, at(days=1))).status_code == 201  # caches warm
        counts = []
        for day in (2, 3, 4):
            before = traced.count()
            response = await api.book(2, at(days=day))
            assert response.status_code == 201, response.text
            counts.append(traced.count() - before)
        assert min(counts) == CREATE_ROUND_TRIPS, counts
