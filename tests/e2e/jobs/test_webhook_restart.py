"""Webhooks through a PostgreSQL restart, on a cluster of the test's own: the restart comes while
a POST is in flight; the worker's relay lives on, that event is delivered (maybe twice, same id),
and a booking made after the restart is delivered too — nothing is lost."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from e2e.jobs.kit import SAMPLE, bookings_with_jobs, fetch, wait_for
from e2e.jobs.test_webhook_worker import RELAY, _endpoint
from seatflow.documents import parse_scenario_text
from seatflow.jobs import ProcrastinateQueue, build_app
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.embedded import ensure_database, with_database
from seatflow.store.floors import load_floor
from seatflow.store.migrate import migrate
from support.cli import clean_environment
from support.cluster import TemporaryCluster, temporary_cluster
from support.receiver import receiving


@pytest.fixture
def cluster_url() -> Iterator[tuple[TemporaryCluster, str]]:
    with temporary_cluster() as cluster:
        ensure_database(cluster.url, "seatflow")
        url = with_database(cluster.url, "seatflow")
        migrate(url)
        yield cluster, url


def _worker(url: str, logs: Path) -> subprocess.Popen[str]:
    env = clean_environment(DATABASE_URL=url, SEATFLOW_WORKER_METRICS_PORT="0", **RELAY)
    with (logs / "worker.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "seatflow.cli", "worker"],
            cwd=logs,
            env=env,
            stdout=log,
            stderr=log,
            text=True,
        )


async def _another_booking(url: str) -> UUID:
    """One more booking of two on the sample floor, three days ahead, with its job."""
    slug = parse_scenario_text(SAMPLE.read_text()).floor.slug
    day = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=3)
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        floor = await load_floor(conn, slug)
        begin, end = floor.plan.policy.occupancy(day, 2)
        async with conn.transaction():
            new = NewBooking(
                restaurant_id=floor.restaurant_id, party_size=2, start_at=begin, end_at=end
            )
            booking = await insert_booking(conn, new)
            await ProcrastinateQueue(build_app()).enqueue(conn, booking.id, "creation")
    return booking.id


def _statuses(url: str) -> list[str]:
    rows = fetch(url, "SELECT status FROM webhook_deliveries ORDER BY id")
    return [str(row["status"]) for row in rows]


async def test_a_database_restart_loses_no_webhook(
    cluster_url: tuple[TemporaryCluster, str], tmp_path: Path
) -> None:
    """Restart while the receiver holds the first POST: both bookings' events arrive, the
    deliveries end `delivered`, and every POST of one event carries the same id."""
    cluster, url = cluster_url
    with receiving(hang=True) as receiver:
        (first,) = await bookings_with_jobs(url, [4])
        _endpoint(url, receiver.url)
        worker = _worker(url, tmp_path)
        try:
            await asyncio.to_thread(receiver.wait_for, 1, 60)
            await asyncio.to_thread(cluster.restart)
            receiver.hang = False
            receiver.release.set()
            second = await _another_booking(url)
            wait_for(lambda: _statuses(url) == ["delivered", "delivered"], "both delivered", 90)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    ids: dict[str, set[str]] = {}
    for post in receiver.received:
        ids.setdefault(post.event["data"]["booking_id"], set()).add(post.event["id"])
    assert set(ids) == {str(first), str(second)}
    assert all(len(event_ids) == 1 for event_ids in ids.values())
