"""A re-pack runs outside the coordinator's transaction, on a snapshot, and its answer is written
only if the floor is still as the search saw it; a stale one is planned again under the lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from seatflow.pipeline import coordinator as coordinator_module
from seatflow.pipeline.coordinator import AssignmentCoordinator
from seatflow.pipeline.event_types import EventType
from seatflow.pipeline.outcome import OutcomeKind
from seatflow.store.bookings import table_keys
from seatflow.store.database import Connection
from seatflow.store.events import MemoryEventSink
from support.events import assert_one_start_one_terminal

BookingFactory = Callable[..., Awaitable[UUID]]


async def _crowded(
    coordinator: AssignmentCoordinator, make_booking: BookingFactory, db_url: str
) -> tuple[UUID, UUID, UUID]:
    """A pair on B and a four on C, A free: a four fits only if the pair moves to A."""
    first, pair, four = [await make_booking(party_size=p) for p in (2, 2, 4)]
    for booking_id in (first, pair, four):  # A, then B, then C
        await coordinator.process(booking_id, "creation")
    _release(db_url, first)
    return pair, four, await make_booking(party_size=4)


def _release(db_url: str, booking_id: UUID) -> None:
    """Another connection frees a booking's tables (committed at once)."""
    with psycopg.connect(db_url, autocommit=True) as other:
        other.execute(
            "UPDATE allocations SET released_at = now() WHERE booking_id = %s", (booking_id,)
        )


def _open_transactions(db_url: str) -> int:
    """Sessions of this database inside a transaction, other than the one asking."""
    with psycopg.connect(db_url, autocommit=True) as other:
        row = other.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
        ).fetchone()
    return int(row[0]) if row else -1


def _watch_planner(monkeypatch: pytest.MonkeyPatch, on_search: Callable[[], None]) -> list[int]:
    """Record each planning call's budget; run `on_search` during the first call that may
    re-pack."""
    real_plan = coordinator_module.plan_v3
    budgets: list[int] = []

    def planner(*args: Any, repack_budget_ms: int, **kwargs: Any) -> Any:
        budgets.append(repack_budget_ms)
        if repack_budget_ms > 0 and budgets.count(repack_budget_ms) == 1:
            on_search()
        return real_plan(*args, repack_budget_ms=repack_budget_ms, **kwargs)

    monkeypatch.setattr(coordinator_module, "plan_v3", planner)
    return budgets


async def test_a_repack_searches_with_no_transaction_open(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the re-pack searches no session holds a transaction; then the snapshot is still
    current, so its plan is written: the pair moves to A, the four takes B, one attempt."""
    pair, _, late = await _crowded(coordinator, make_booking, db_url)
    sink.events.clear()
    seen: list[int] = []
    budgets = _watch_planner(monkeypatch, lambda: seen.append(_open_transactions(db_url)))
    outcome = await coordinator.process(late, "creation")
    assert (outcome.kind, outcome.strategy) == (OutcomeKind.CONFIRMED, "repack")
    assert budgets == [0, 2000] and seen == [0]
    async with pool.connection() as conn:
        assert await table_keys(conn, late) == ["B"]
        assert await table_keys(conn, pair) == ["A"]
        attempts = await (
            await conn.execute(
                "SELECT outcome FROM booking_assignment_attempts WHERE booking_id = %s", (late,)
            )
        ).fetchall()
    assert attempts == [{"outcome": "confirmed"}]
    assert assert_one_start_one_terminal(sink) == [EventType.CONFIRMED]
    assert len(sink.of_type(EventType.LOCK_ACQUIRED)) == 1
    assert len(sink.of_type(EventType.RATE_PERMIT_ACQUIRED)) == 1


async def test_a_stale_search_is_planned_again_under_the_lock(
    coordinator: AssignmentCoordinator,
    make_booking: BookingFactory,
    pool: AsyncConnectionPool[Connection],
    sink: MemoryEventSink,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The four on C leaves while the re-pack searches: its moves are not written; planned
    again on the new floor the late four simply takes C, and nobody moves."""
    pair, four, late = await _crowded(coordinator, make_booking, db_url)
    sink.events.clear()
    budgets = _watch_planner(monkeypatch, lambda: _release(db_url, four))
    outcome = await coordinator.process(late, "creation")
    assert outcome.kind is OutcomeKind.CONFIRMED and outcome.tables == ("C",)
    assert budgets == [0, 2000, 2000]
    async with pool.connection() as conn:
        assert await table_keys(conn, pair) == ["B"]
        attempts = await (
            await conn.execute(
                "SELECT count(*) AS n FROM booking_assignment_attempts WHERE booking_id = %s",
                (late,),
            )
        ).fetchone()
    assert attempts == {"n": 1}
    assert assert_one_start_one_terminal(sink) == [EventType.CONFIRMED]
