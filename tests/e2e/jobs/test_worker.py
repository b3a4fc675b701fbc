"""Real `seatflow worker` processes: a booking's job confirms it, and a worker killed mid-job
loses nothing — a second worker, with the upkeep, confirms the booking exactly once."""

from __future__ import annotations

import signal
import subprocess
from uuid import UUID

import psycopg

from e2e.jobs.kit import bookings_with_jobs, fetch, wait_for
from seatflow.jobs import build_app
from seatflow.jobs.maintenance import retry_stalled_jobs
from support.processes import Spawn


def _worker(spawn_seatflow: Spawn) -> subprocess.Popen[str]:
    return spawn_seatflow("worker", "--concurrency", "2")


async def _booking_with_job(db_url: str) -> UUID:
    """The sample floor and one booking of four, written with its job."""
    (booking_id,) = await bookings_with_jobs(db_url, [4])
    return booking_id


def _state(db_url: str, booking_id: UUID) -> str:
    rows = fetch(db_url, "SELECT assignment_state FROM bookings WHERE id = %s", booking_id)
    return str(rows[0]["assignment_state"])


def _assert_confirmed_once(db_url: str, booking_id: UUID) -> None:
    """Confirmed, on live tables it holds once each, through exactly one confirming change."""
    assert _state(db_url, booking_id) == "confirmed"
    tables = fetch(
        db_url,
        "SELECT table_id FROM allocations WHERE booking_id = %s AND released_at IS NULL",
        booking_id,
    )
    assert tables and len({row["table_id"] for row in tables}) == len(tables)
    confirmations = fetch(
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
    wait_for(lambda: _state(db_url, booking_id) == "confirmed", "the booking to be confirmed")
    _assert_confirmed_once(db_url, booking_id)


async def test_worker_killed_mid_job_loses_no_booking(db_url: str, spawn_seatflow: Spawn) -> None:
    """SIGKILL while the job runs: the job is stranded `doing`; once the upkeep retries it, a
    second worker confirms the booking, exactly once."""
    booking_id = await _booking_with_job(db_url)
    with psycopg.connect(db_url) as blocker:
        # Hold the booking's row so the first worker's assignment transaction stops mid-way.
        blocker.execute("SELECT 1 FROM bookings WHERE id = %s FOR UPDATE", (booking_id,))
        first = _worker(spawn_seatflow)
        wait_for(lambda: _blocked_on(db_url, booking_id), "the first worker to be mid-job")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        blocker.rollback()
    (job,) = fetch(
        db_url, "SELECT status FROM procrastinate_jobs WHERE lock = %s", f"booking:{booking_id}"
    )
    assert job["status"] == "doing" and _state(db_url, booking_id) == "created"
    with psycopg.connect(db_url, autocommit=True) as conn:  # as old as a stalled worker's
        conn.execute("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'")
    app = build_app(db_url)
    async with app.open_async():  # the periodic sweep's body, run now rather than on its tick
        assert await retry_stalled_jobs(app.job_manager) >= 1  # upkeep jobs may be stalled too
    _worker(spawn_seatflow)
    wait_for(lambda: _state(db_url, booking_id) == "confirmed", "the second worker to confirm")
    _assert_confirmed_once(db_url, booking_id)


def _blocked_on(db_url: str, booking_id: UUID) -> bool:
    """A worker waits for a row lock (ours, on the booking) while the booking's job is `doing`."""
    waiting = fetch(
        db_url,
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
    )
    doing = fetch(
        db_url,
        "SELECT 1 FROM procrastinate_jobs WHERE status = 'doing' AND lock = %s",
        f"booking:{booking_id}",
    )
    return bool(waiting and doing)
