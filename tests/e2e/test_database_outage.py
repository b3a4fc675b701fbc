"""`seatflow serve` and two `seatflow worker` processes through a PostgreSQL restart and a stop of
several seconds, on a cluster of the test's own: the workers live on, the API answers only
2xx / 4xx / 503 (no 500, no reset connection), every accepted booking settles, and no booking
exists that its client was not told about."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from e2e.jobs.kit import SAMPLE, wait_for
from seatflow.store.embedded import ensure_database, with_database
from seatflow.store.migrate import migrate
from support.cli import clean_environment
from support.cluster import TemporaryCluster, temporary_cluster
from support.stack import api_ready, free_port, json_lines, seed_restaurant

#: Client loops feeding bookings, and the pause between two bookings of one loop.
CLIENTS = 3
PAUSE = 0.15
#: After the database is back, how long every accepted booking has to settle.
SETTLE_WITHIN = 40.0
SETTLED = ("confirmed", "manual_review", "cancelled")


@dataclass
class Tally:
    """What the clients saw: every status code, the ids answered 2xx, transport failures."""

    statuses: Counter[int] = field(default_factory=Counter)
    accepted: set[str] = field(default_factory=set)
    phase: str = "before"
    accepted_in: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    retry_after_missing: int = 0


@dataclass
class Stack:
    cluster: TemporaryCluster
    url: str
    base: str
    token: str
    slug: str
    workers: list[subprocess.Popen[str]]
    #: A third worker, stopped with SIGTERM while the database is down.
    spare: subprocess.Popen[str]
    logs: Path


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """Own cluster, migrated and seeded; serve and two workers on it (stopped at teardown)."""
    with temporary_cluster() as cluster:
        ensure_database(cluster.url, "seatflow")
        url = with_database(cluster.url, "seatflow")
        migrate(url)
        slug, token = asyncio.run(seed_restaurant(url, SAMPLE))
        port = free_port()
        env = clean_environment(
            DATABASE_URL=url,
            FEATURE_ASSIGNMENT_PIPELINE_V3="true",
            SEATFLOW_WORKER_METRICS_PORT="0",
            SEATFLOW_LOG_FORMAT="json",
        )
        started: list[subprocess.Popen[str]] = []

        def spawn(*args: str) -> subprocess.Popen[str]:
            with (tmp_path / f"{args[0]}-{len(started)}.log").open("w") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "seatflow.cli", *args],
                    cwd=tmp_path,
                    env=env,
                    stdout=log,
                    stderr=log,
                    text=True,
                )
            started.append(process)
            return process

        spawn("serve", "--port", str(port))
        workers = [spawn("worker", "--concurrency", "2") for _ in range(3)]
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: api_ready(base), "the API to be ready", 30)
        wait_for(lambda: _started(tmp_path), "the workers to start", 30)  # no outage at start-up
        try:
            yield Stack(cluster, url, base, token, slug, workers[:2], workers[2], tmp_path)
        finally:
            for process in started:
                if process.poll() is None:
                    process.terminate()
            for process in started:
                process.wait(timeout=30)


async def test_processes_ride_out_a_restart_and_a_stop(stack: Stack) -> None:
    """Through a restart and a 6 s stop: workers alive, only 2xx/4xx/503, all accepted settle,
    and the database holds exactly the bookings clients were told about."""
    tally = Tally()
    stop = asyncio.Event()
    feeders = [asyncio.create_task(_feed(stack, n, tally, stop)) for n in range(CLIENTS)]
    await asyncio.sleep(2)
    tally.phase = "restart"
    await asyncio.to_thread(stack.cluster.restart)
    await asyncio.sleep(2.5)
    _assert_alive(stack.workers)
    tally.phase = "stop"
    await asyncio.to_thread(stack.cluster.stop)
    stopped = time.monotonic()
    await asyncio.sleep(2)
    stack.spare.terminate()  # SIGTERM during the outage: a prompt, clean exit
    assert await asyncio.to_thread(stack.spare.wait, 20) == 0
    await asyncio.sleep(4)
    _assert_alive(stack.workers)
    await asyncio.to_thread(stack.cluster.start)
    back = time.monotonic()
    down = back - stopped
    tally.phase = "after"
    await asyncio.sleep(4)
    stop.set()
    await asyncio.gather(*feeders)

    assert not tally.failures, tally.failures[:5]
    assert set(tally.statuses) <= {200, 201, 409, 422, 503}, tally.statuses
    assert tally.retry_after_missing == 0
    assert tally.statuses[503] > 0, "the stop was never seen: the test did not test anything"
    assert tally.accepted_in["before"] and tally.accepted_in["after"], tally.accepted_in
    accepted_before_settling = len(tally.accepted)
    states = await _settled(stack.url, tally.accepted, SETTLE_WITHIN)
    settled_after = time.monotonic() - back
    _assert_alive(stack.workers)
    assert set(states) == tally.accepted  # nothing the clients were not told about
    unsettled = {k: v for k, v in states.items() if v not in SETTLED}
    assert not unsettled, unsettled
    outages = _outage_lines(stack.logs)
    assert all(outages[name] for name in outages), outages
    print(  # the figures the issue asks for; shown with -s
        f"\naccepted={accepted_before_settling} by_phase={dict(tally.accepted_in)} "
        f"statuses={dict(tally.statuses)} settled_after_db_back={settled_after:.1f}s "
        f"db_down={down:.1f}s worker_outages={outages}"
    )


async def _feed(stack: Stack, client: int, tally: Tally, stop: asyncio.Event) -> None:
    """One client: a booking every PAUSE until stopped; creates are never retried."""
    headers = {"Authorization": f"Bearer {stack.token}"}
    day = datetime.now(UTC).replace(hour=18, minute=0, second=0, microsecond=0)
    async with httpx.AsyncClient(base_url=stack.base, timeout=15, headers=headers) as http:
        n = 0
        while not stop.is_set():
            start = day + timedelta(days=2 + (n % 10), minutes=15 * client + 60 * (n // 10 % 4))
            body = {"party_size": 2 + (n % 3), "start_at": start.isoformat()}
            try:
                response = await http.post(f"/v1/restaurants/{stack.slug}/bookings", json=body)
            except httpx.HTTPError as exc:  # a reset or a hang: what must never happen
                tally.failures.append(f"{type(exc).__name__}: {exc}")
            else:
                _count(tally, response)
            n += 1
            await asyncio.sleep(PAUSE)


def _count(tally: Tally, response: httpx.Response) -> None:
    tally.statuses[response.status_code] += 1
    if response.is_success:
        tally.accepted.add(response.json()["id"])
        tally.accepted_in[tally.phase] += 1
    elif response.status_code == 503:
        body = response.json()
        assert body["error"] == "database_unavailable", body
        tally.retry_after_missing += "retry-after" not in response.headers


async def _settled(url: str, accepted: set[str], within: float) -> dict[str, str]:
    """Every booking's assignment state, once all accepted ones settled or `within` passed."""
    deadline = time.monotonic() + within
    while True:
        async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
            rows = await (
                await conn.execute("SELECT id, assignment_state FROM bookings")
            ).fetchall()
        states = {str(row["id"]): str(row["assignment_state"]) for row in rows}
        done = all(states.get(booking) in SETTLED for booking in accepted)
        if done or time.monotonic() > deadline:
            return states
        await asyncio.sleep(0.5)


def _outage_lines(logs: Path) -> dict[str, list[float]]:
    """Per log of the two workers kept running: the `down_seconds` of each `database_back`."""
    found: dict[str, list[float]] = {}
    for path in sorted(logs.glob("worker-*.log"))[:2]:
        found[path.name] = [
            float(line["down_seconds"])
            for line in json_lines(path)
            if line.get("event") == "database_back"
        ]
    return found


def _started(logs: Path) -> bool:
    """Every worker logged `seatflow_starting` (their pools and queue are open)."""
    paths = sorted(logs.glob("worker-*.log"))
    return len(paths) == 3 and all(
        any(line.get("event") == "seatflow_starting" for line in json_lines(path)) for path in paths
    )


def _assert_alive(workers: list[subprocess.Popen[str]]) -> None:
    assert [w.poll() for w in workers] == [None] * len(workers), "a worker exited"
