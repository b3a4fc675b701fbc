"""`SEATFLOW_PREPARED_STATEMENTS=false`: seatflow's pools never prepare a statement, so their
connections can go through PgBouncer in transaction mode before 1.21 (which cannot carry them).
Checked on the server itself: `pg_prepared_statements` lists what a session prepared."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from seatflow.jobs import build_app
from seatflow.store import database
from seatflow.store.database import connect, open_pool, prepare_by_default
from support.pooler import prepares_statements

#: More runs than psycopg's threshold (5) before it prepares a statement.
RUNS = 8
PREPARED = "SELECT count(*) AS n FROM pg_prepared_statements"


async def _prepared_after_runs(conn: Any) -> int:
    for _ in range(RUNS):
        await conn.execute("SELECT %s::int AS one", (1,))
    row = await (await conn.execute(PREPARED)).fetchone()
    return int(row["n"] if isinstance(row, dict) else row[0])


@pytest.mark.parametrize(
    ("prepared", "expect_any"),
    [pytest.param(True, True, marks=prepares_statements), (False, False)],
)
async def test_the_pool_prepares_only_when_allowed(
    db_url: str, prepared: bool, expect_any: bool
) -> None:
    async with open_pool(db_url, max_size=1, prepared=prepared) as pool, pool.connection() as conn:
        assert (await _prepared_after_runs(conn) > 0) is expect_any


async def test_the_queue_connections_follow_the_setting(db_url: str) -> None:
    """procrastinate's own pool (the workers' fetch and finish) is opened the same way."""
    app = build_app(db_url, prepared=False)
    async with app.open_async(), app.connector.pool.connection() as conn:  # type: ignore[attr-defined]
        assert await _prepared_after_runs(conn) == 0


@pytest.fixture
def process_default(request: pytest.FixtureRequest) -> Iterator[bool]:
    """The CLI's composition root started with the setting at `request.param`; put back after."""
    before = database._prepared_by_default
    prepare_by_default(request.param)
    yield request.param
    prepare_by_default(before)


@pytest.mark.parametrize(
    "process_default", [pytest.param(True, marks=prepares_statements), False], indirect=True
)
async def test_single_connections_and_default_pools_follow_the_process_setting(
    db_url: str, process_default: bool
) -> None:
    """The CLI's commands open connections one at a time (`floor import`, `review`, ...) and
    queues with no say of their own: they follow what the process was started with."""
    async with connect(db_url) as conn:
        assert (await _prepared_after_runs(conn) > 0) is process_default
    async with open_pool(db_url, max_size=1) as pool, pool.connection() as conn:
        assert (await _prepared_after_runs(conn) > 0) is process_default
    app = build_app(db_url)
    async with app.open_async(), app.connector.pool.connection() as conn:  # type: ignore[attr-defined]
        assert (await _prepared_after_runs(conn) > 0) is process_default
