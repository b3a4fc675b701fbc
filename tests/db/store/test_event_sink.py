"""BatchingEventSink on real PostgreSQL: batched writes, drops with counters, dead databases."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from uuid import uuid4

import psycopg
from psycopg_pool import AsyncConnectionPool
from structlog.testing import capture_logs

from seatflow.store.database import Connection, open_pool
from seatflow.store.event_json import MAX_CONTEXT_BYTES
from seatflow.store.events import APPLICATION_NAME, BatchingEventSink, Event
from support.pooler import kills_server_sessions

T0 = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
DEAD_URL = "postgresql://postgres@127.0.0.1:1/nowhere"


def event(i: int = 0, **overrides: object) -> Event:
    fields: dict[str, object] = {
        "source": "assignment.coordinator",
        "event_type": "coordinator.attempt",
        "booking_id": uuid4(),
        "restaurant_id": uuid4(),
        "context": {"i": i, "trigger": "creation"},
        "created_at": T0,
    }
    fields.update(overrides)
    return Event(**fields)  # type: ignore[arg-type]  # test helper, fields checked by the sink


async def count(conn: Connection) -> int:
    row = await (await conn.execute("SELECT count(*) AS n FROM observability_events")).fetchone()
    assert row is not None
    return int(row["n"])


async def test_flush_writes_events_as_stored_rows(db_url: str, conn: Connection) -> None:
    """flush() writes each event with its ids, severity, JSON context and enqueue time."""
    booking, restaurant = uuid4(), uuid4()
    sink = BatchingEventSink(db_url)
    sink.emit(
        event(
            booking_id=booking,
            restaurant_id=str(restaurant),
            severity="warning",
            context={"at": T0, "tables": {"t2", "t1"}, "score": float("nan"), "x": "a\x00b"},
        )
    )
    await sink.flush()
    row = await (await conn.execute("SELECT * FROM observability_events")).fetchone()
    assert row is not None
    assert (row["source"], row["event_type"], row["severity"]) == (
        "assignment.coordinator",
        "coordinator.attempt",
        "warning",
    )
    assert (row["booking_id"], row["restaurant_id"], row["created_at"]) == (
        booking,
        restaurant,
        T0,
    )
    assert row["context"] == {
        "at": "2026-12-05T19:00:00+00:00",
        "tables": ["t1", "t2"],
        "score": None,
        "x": "a\ufffdb",
    }
    assert (sink.written, sink.dropped) == (1, 0)
    await sink.aclose()


async def test_many_events_go_in_one_insert_per_batch(db_url: str, conn: Connection) -> None:
    """1,200 events with batches of 500 are three INSERT statements, not 1,200."""
    await conn.execute(
        """
        CREATE TABLE insert_statements (n int NOT NULL);
        CREATE FUNCTION count_insert() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN INSERT INTO insert_statements VALUES (1); RETURN NULL; END $$;
        CREATE TRIGGER count_insert AFTER INSERT ON observability_events
            FOR EACH STATEMENT EXECUTE FUNCTION count_insert();
        """
    )
    await conn.commit()
    sink = BatchingEventSink(db_url, batch_size=500)
    for i in range(1200):
        sink.emit(event(i))
    await sink.flush()
    assert await count(conn) == 1200
    statements = await (
        await conn.execute("SELECT count(*) AS n FROM insert_statements")
    ).fetchone()
    assert statements is not None and statements["n"] == 3
    await sink.aclose()


async def test_background_writer_drains_without_flush_and_aclose_writes_the_rest(
    db_url: str, conn: Connection
) -> None:
    """Once started, queued events reach the table on their own; aclose() leaves nothing behind."""
    sink = BatchingEventSink(db_url, batch_size=10, flush_interval=0.05)
    sink.start()
    for i in range(25):
        sink.emit(event(i))
    for _ in range(100):
        if await count(conn) == 25:
            break
        await asyncio.sleep(0.02)
        await conn.rollback()
    assert await count(conn) == 25
    await conn.rollback()
    sink.emit(event(99))
    await sink.aclose()
    assert await count(conn) == 26
    sink.emit(event(100))  # after close: dropped, not queued forever
    assert sink.dropped == 1 and sink.pending == 0


async def test_a_full_queue_drops_and_counts(db_url: str, conn: Connection) -> None:
    """Past max_queue, emit() drops the new event, counts it and logs once."""
    sink = BatchingEventSink(db_url, max_queue=10)
    with capture_logs() as logs:
        for i in range(25):
            sink.emit(event(i))
    assert (sink.dropped, sink.pending) == (15, 10)
    assert [entry["event"] for entry in logs] == ["event_sink_queue_full"]
    await sink.flush()
    assert await count(conn) == 10
    await sink.aclose()


async def test_malformed_ids_are_stored_null_with_the_original_in_context(
    db_url: str, conn: Connection
) -> None:
    """A non-UUID id becomes NULL, kept as booking_ref / restaurant_ref; a bad severity too."""
    sink = BatchingEventSink(db_url)
    sink.emit(event(booking_id="R-123", restaurant_id="the-bistro", severity="fatal"))
    sink.emit(event(booking_id=None, restaurant_id=None))
    await sink.flush()
    rows = await (await conn.execute("SELECT * FROM observability_events ORDER BY id")).fetchall()
    assert [(r["booking_id"], r["restaurant_id"]) for r in rows] == [(None, None)] * 2
    assert rows[0]["context"]["booking_ref"] == "R-123"
    assert rows[0]["context"]["restaurant_ref"] == "the-bistro"
    assert rows[0]["severity"] == "warning"
    await sink.aclose()


async def test_a_dead_database_drops_and_counts_without_raising_or_blocking() -> None:
    """With no server, 10,000 emits return at once; closing drops them with one log line."""
    sink = BatchingEventSink(DEAD_URL, batch_size=5000, write_timeout=2)
    sink.start()
    started = time.perf_counter()
    for i in range(10_000):
        sink.emit(event(i))
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, elapsed
    with capture_logs() as logs:
        await sink.aclose()
    assert sink.dropped == 10_000
    assert sink.written == 0
    assert sink.failed_writes == 1
    failures = [e for e in logs if e["event"] == "event_sink_write_failed"]
    assert [e["dropped"] for e in failures] == [10_000]


@kills_server_sessions
async def test_a_server_that_goes_away_drops_one_batch_then_recovers(
    db_url: str, server_url: str
) -> None:
    """When the sink's connection is killed, that batch is dropped; the next one reconnects."""
    sink = BatchingEventSink(db_url)
    sink.emit(event(1))
    await sink.flush()
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND application_name = %s",
            (psycopg.conninfo.conninfo_to_dict(db_url)["dbname"], APPLICATION_NAME),
        )
    sink.emit(event(2))
    await sink.flush()
    sink.emit(event(3))
    await sink.flush()
    assert (sink.written, sink.dropped, sink.failed_writes) == (2, 1, 1)
    await sink.aclose()


async def test_a_shared_pool_is_used_and_left_open(db_url: str, conn: Connection) -> None:
    """Given the application's pool, the sink writes through it and never closes it."""
    async with open_pool(db_url, max_size=2) as pool:
        sink = BatchingEventSink(pool)
        sink.emit(event(1, context={"big": "x" * 20_000}))
        await sink.aclose()
        assert not pool.closed
        assert await count(conn) == 1
        row = await (await conn.execute("SELECT context FROM observability_events")).fetchone()
        assert row is not None
        assert row["context"]["_truncated"] is True
        compact = json.dumps(row["context"], separators=(",", ":"), ensure_ascii=False)
        assert len(compact.encode()) <= MAX_CONTEXT_BYTES


async def test_an_unreachable_pool_costs_one_timeout_per_flush() -> None:
    """Through a pool that cannot connect, a flush of many batches waits one timeout, not many."""
    pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(DEAD_URL, min_size=1, open=False)
    await pool.open(wait=False)
    try:
        sink = BatchingEventSink(pool, batch_size=10, write_timeout=0.3)
        for i in range(100):
            sink.emit(event(i))
        started = time.perf_counter()
        await sink.flush()
        assert time.perf_counter() - started < 1.5
        assert (sink.dropped, sink.failed_writes, sink.pending) == (100, 1, 0)
    finally:
        await pool.close()


async def test_a_simulation_sink_marks_its_events_simulated(db_url: str, conn: Connection) -> None:
    """A sink made for a simulation stores every event with simulated = true; others false."""
    simulated, live = BatchingEventSink(db_url, simulated=True), BatchingEventSink(db_url)
    for sink, i in ((simulated, 1), (simulated, 2), (live, 3)):
        sink.emit(event(i))
    await simulated.aclose()
    await live.aclose()
    rows = await (
        await conn.execute(
            "SELECT (context->>'i')::int AS i, simulated FROM observability_events ORDER BY 1"
        )
    ).fetchall()
    assert [(r["i"], r["simulated"]) for r in rows] == [(1, True), (2, True), (3, False)]
