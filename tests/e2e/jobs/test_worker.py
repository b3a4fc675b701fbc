"""Real `seatflow worker` processes: a booking's job confirms it, and a worker killed mid-job
loses nothing — a second worker, with the upkeep, confirms the booking exactly once."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from seatflow.documents import parse_scenario_text
from seatflow.jobs import ProcrastinateQueue, build_app
from seatflow.jobs.maintenance import retry_stalled_jobs
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.floors import import_floor, load_floor
from support.processes import Spawn

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "samples" / "dev-05-t24-l0.8.json"


def _worker(spawn_seatflow: Spawn) -> subprocess.Popen[str]:
    return spawn_seatflow("worker", "--concurrency", "2")


async def _booking_with_job(db_url: str) -> UUID:
    """Import the sample floor; insert one booking and its job in one transaction."""
    scenario = parse_scenario_text(SAMPLE.read_text())
    async with await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row) as conn:
        async with conn.transaction():
            await import_floor(conn, scenario.floor)
        floor = await load_floor(conn, scenario.floor.slug)
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        begin, end = floor.plan.policy.occupancy(start, 4)
        async with conn.transaction():
            booking = await insert_booking(
                conn,
                NewBooking(
                    restaurant_id=floor.restaurant_id, party_size=4, start_at=begin, end_at=end
                ),
            )
            await ProcrastinateQueue(build_app()).enqueue(conn, booking.id, "creation")
    return booking.id


def _fetch(db_url: str, sql: str, *params: Any) -> list[dict[str, Any]]:
    with psycopg.connect(db_url, row_factory=dict_row, autocommit=True) as conn:
        return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]  # test SQL


def _state(db_url: str, booking_id: UUID) -> str:
    rows = _fetch(db_url, "SELECT assignment_state FROM bookings WHERE id = %s", booking_id)
    return str(rows[0]["assignment_state"])


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _assert_confirmed_once(db_url: str, booking_id: UUID) -> None:
    """Confirmed, on live tables it holds once each, through exactly one confirming change."""
    assert _state(db_url, booking_id) == "confirmed"
    tables = _fetch(
        db_url,
        "SELECT table_id FROM allocations WHERE booking_id = %s AND released_at IS NULL",
        booking_id,
    )
    assert tables and len({row["table_id"] for row in tables}) == len(tables)
    confirmations = _fetch(
        db_url,
        "SELECT 1 FROM booking_assignment_state_history WHERE booking_id = %s "
        "AND to_state = 'confirmed'",
        booking_id,
    )
    assert len(confirmations) == 1


async def test_booking_job_is_confirmed_by_a_worker_process(
    db_url: str, spawn_seatflow: Spawn
) -> None:
    """A booking written with its job is confirmed by a separate worker process."""
    booking_id = await _booking_with_job(db_url)
    _worker(spawn_seatflow)
    _wait_for(lambda: _state(db_url, booking_id) == "confirmed", "the booking to be confirmed")
    _assert_confirmed_once(db_url, booking_id)


async def test_worker_killed_mid_job_loses_no_booking(db_url: str, spawn_seatflow: Spawn) -> None:
    """SIGKILL while the job runs: the job is stranded `doing`; once the upkeep retries it, a
    second worker confirms the booking, exactly once."""
    booking_id = await _booking_with_job(db_url)
    with psycopg.connect(db_url) as blocker:
        # Hold the booking's row so the first worker's assignment transaction stops mid-way.
        blocker.execute("SELECT 1 FROM bookings WHERE id = %s FOR UPDATE", (booking_id,))
        first = _worker(spawn_seatflow)
        _wait_for(lambda: _blocked_on(db_url, booking_id), "the first worker to be mid-job")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        blocker.rollback()
    (job,) = _fetch(
        db_url, "SELECT status FROM procrastinate_jobs WHERE lock = %s", f"booking:{booking_id}"
    )
    assert job["status"] == "doing" and _state(db_url, booking_id) == "created"
    with psycopg.connect(db_url, autocommit=True) as conn:  # as old as a stalled worker's
        conn.execute("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'")
    app = build_app(db_url)
    async with app.open_async():  # the periodic sweep's body, run now rather than on its tick
        assert await retry_stalled_jobs(app.job_manager) >= 1  # upkeep jobs may be stalled too
    _worker(spawn_seatflow)
    _wait_for(lambda: _state(db_url, booking_id) == "confirmed", "the second worker to confirm")
    _assert_confirmed_once(db_url, booking_id)


def _blocked_on(db_url: str, booking_id: UUID) -> bool:
    """A worker waits for a row lock (ours, on the booking) while the booking's job is `doing`."""
    waiting = _fetch(
        db_url,
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
    )
    doing = _fetch(
        db_url,
        "SELECT 1 FROM procrastinate_jobs WHERE status = 'doing' AND lock = %s",
        f"booking:{booking_id}",
    )
    return bool(waiting and doing)
