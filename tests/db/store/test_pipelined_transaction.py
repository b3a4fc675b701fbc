"""`pipelined_transaction`: statements travel together, and a failure — in Python or on the
server, before or at the COMMIT — leaves nothing written and the connection as it was."""

from __future__ import annotations

import psycopg
import pytest

from seatflow.store.checks import store_errors
from seatflow.store.database import Connection, pipelined_transaction
from seatflow.store.round_trips import RoundTripTrace


class _Stop(Exception):
    pass


async def _rows(conn: Connection) -> list[int]:
    cursor = await conn.execute("SELECT x FROM scratch ORDER BY x")
    rows = [row["x"] for row in await cursor.fetchall()]
    await conn.commit()
    return rows


@pytest.fixture
async def scratch(conn: Connection) -> Connection:
    await conn.execute("CREATE TABLE scratch (x int PRIMARY KEY)")
    await conn.commit()
    return conn


async def test_writes_and_commit_are_one_round_trip(scratch: Connection) -> None:
    trace = RoundTripTrace()
    trace.watch(scratch)
    async with pipelined_transaction(scratch):
        for x in range(5):
            await scratch.execute("INSERT INTO scratch VALUES (%s)", (x,))
    assert trace.count() == 1
    trace.close()
    assert await _rows(scratch) == [0, 1, 2, 3, 4]
    assert not scratch.autocommit


async def test_a_python_error_after_writes_were_sent_commits_nothing(scratch: Connection) -> None:
    with pytest.raises(_Stop):
        async with pipelined_transaction(scratch):
            await scratch.execute("INSERT INTO scratch VALUES (1)")
            (await (await scratch.execute("SELECT 1 AS one")).fetchone())  # the insert ran
            raise _Stop
    assert await _rows(scratch) == []
    assert not scratch.autocommit


async def test_a_failed_check_at_the_sync_commits_nothing(scratch: Connection) -> None:
    """The check fails on the server after an insert; the COMMIT queued behind it never runs."""
    with pytest.raises(psycopg.errors.UniqueViolation):
        async with pipelined_transaction(scratch):
            await scratch.execute("INSERT INTO scratch VALUES (1)")
            await scratch.execute("INSERT INTO scratch VALUES (1)")
            await scratch.execute("INSERT INTO scratch VALUES (2)")
    assert await _rows(scratch) == []
    assert scratch.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


async def test_a_seatflow_assert_becomes_its_domain_error(scratch: Connection) -> None:
    from seatflow.errors import TablesTaken

    with pytest.raises(TablesTaken, match="tables taken: T9"):
        async with store_errors(), pipelined_transaction(scratch):
            await scratch.execute("INSERT INTO scratch VALUES (3)")
            await scratch.execute("SELECT seatflow_assert(false, 'SF002', 'tables taken: T9')")
    assert await _rows(scratch) == []


async def test_a_statement_skipped_by_an_aborted_pipeline_runs_again_afterwards(
    scratch: Connection,
) -> None:
    """A statement that reached psycopg's prepare threshold in a pipeline that aborted before it
    ran still works on the same connection afterwards (its PREPARE never reached the server)."""
    select = "SELECT count(*) AS n FROM scratch WHERE x > %s"
    with pytest.raises(psycopg.errors.DivisionByZero):  # as on any connection that lived a
        async with pipelined_transaction(scratch):  # while: it has rolled back before
            await scratch.execute("SELECT 1 / 0")
    threshold = scratch.prepare_threshold or 0
    for x in range(threshold):
        await scratch.execute(select, (x,))
    await scratch.commit()
    with pytest.raises(psycopg.errors.DivisionByZero):
        async with pipelined_transaction(scratch):
            await scratch.execute("SELECT 1 / 0")
            await scratch.execute(select, (0,))  # this run would be the one to prepare it
    async with pipelined_transaction(scratch):
        cursor = await scratch.execute(select, (0,))
        assert (await cursor.fetchone()) == {"n": 0}
