"""Many machines on one PostgreSQL: two `seatflow serve` processes on their own loopback
addresses (127.0.0.2, 127.0.0.3) and two `seatflow worker` processes, while clients post
bookings round-robin over both APIs for two restaurants. Meanwhile a rolling restart: one worker
is stopped with SIGTERM in the middle of a job (it finishes it, then exits), another is killed
with SIGKILL in the middle of one (its job comes back through the stalled-jobs sweep), and one
API process is restarted while clients keep posting (retrying elsewhere with the same
Idempotency-Key). Then, from the database: nothing lost, nothing stuck, no table twice, one start
and one terminal event per invocation, the restaurant permits' ceiling held cluster-wide.

A killed worker's job is requeued once its heartbeat is `STALLED_AFTER_SECONDS` old, by the sweep
that runs every half of that: here a 1 s heartbeat and 6 s (the defaults, 10 s and 30 s, would
take 20–45 s)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable

from e2e.cluster import checks
from e2e.cluster.clients import Ledger, Restaurant, feed
from e2e.cluster.nodes import (
    MAX_PARALLEL,
    Cluster,
    Node,
    blocked_claims,
    claims_held,
    running_jobs,
    stop,
)
from e2e.jobs.kit import fetch, wait_for

HOSTS = ("127.0.0.2", "127.0.0.3")
#: Bookings accepted before the clients stop (they also go on until the API restart is done).
AT_LEAST = 40
#: The killed worker's job comes back within seconds of the kill; then it still has to run.
SETTLE_WITHIN = 60.0


async def until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Wait without blocking the clients' event loop."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_rolling_restarts_lose_nothing(
    cluster: Cluster, restaurants: list[Restaurant]
) -> None:
    db = cluster.db_url
    apis = [await asyncio.to_thread(cluster.start_api, f"api-{i}", h) for i, h in enumerate(HOSTS)]
    workers = [await asyncio.to_thread(cluster.start_worker, name) for name in ("wa", "wb")]
    ledger, stop_feeding = Ledger(), asyncio.Event()
    bases = [api.base for api in apis]
    with checks.PermitWatch(db) as permits:
        feeders = [
            asyncio.create_task(feed(bases, restaurants, ledger, stop_feeding, client=i, clients=2))
            for i in range(2)
        ]
        await until(lambda: len(ledger.accepted) >= 6, "the first bookings")
        finished = await asyncio.to_thread(_sigterm_mid_job, db, workers[0])
        workers[0] = await asyncio.to_thread(cluster.start_worker, "wa2")
        killed = await asyncio.to_thread(_sigkill_mid_job, db, workers[1])
        killed_at = time.monotonic()
        workers[1] = await asyncio.to_thread(cluster.start_worker, "wb2")
        apis[0] = await _restart_api(cluster, apis[0], ledger)
        await until(lambda: len(ledger.accepted) >= AT_LEAST, f"{AT_LEAST} bookings", 60)
        stop_feeding.set()
        await asyncio.gather(*feeders)
        await until(lambda: not checks.unsettled(db), "every booking to settle", SETTLE_WITHIN)
        recovered_after = time.monotonic() - killed_at
    connections = fetch(
        db,
        "SELECT application_name AS name, count(*) AS n FROM pg_stat_activity "
        "WHERE datname = current_database() GROUP BY 1 ORDER BY 1",
    )
    cluster.stop_all()  # every event written before it is read

    invocations = _assert_kept(cluster, ledger, killed, permits)
    print(  # the figures docs/scaling.md quotes; shown with -s
        f"\nbookings={len(ledger.accepted)} refused={ledger.refused} invocations={invocations} "
        f"answers={dict(ledger.seen)} killed_jobs={len(killed)} finished_on_sigterm="
        f"{len(finished)} settled_after_kill={recovered_after:.1f}s permits_most={permits.most} "
        f"permit_holders={sorted(permits.holders)} samples={permits.samples} "
        f"connections={ {row['name']: row['n'] for row in connections} }"
    )


def _assert_kept(
    cluster: Cluster, ledger: Ledger, killed: set[str], permits: checks.PermitWatch
) -> int:
    """Everything the cluster must have kept, read from the database; returns the invocations."""
    db = cluster.db_url
    assert not ledger.unexpected and not ledger.gave_up, (ledger.unexpected, ledger.gave_up)
    stored = {row["id"] for row in fetch(db, "SELECT id::text FROM bookings")}
    assert stored == set(ledger.accepted.values())  # every 2xx kept, nothing unanswered
    assert len(stored) == len(ledger.accepted)  # no retry made a second booking
    assert not checks.table_problems(db), checks.table_problems(db)
    assert not checks.double_bookings(db)
    invocations, problems = checks.bracket_problems(db, killed)
    assert not problems, problems
    assert invocations >= len(stored)
    slots = checks.permit_slots(db)
    assert slots and max(slots) < MAX_PARALLEL
    # Never more than MAX_PARALLEL permit locks of a restaurant held at once, whichever
    # processes held them; and the watch did see them held (the check was not vacuous).
    assert permits.most and max(permits.most.values()) == MAX_PARALLEL, permits.most
    sweeps = [n.log_events("stalled_jobs_retried") for n in cluster.nodes if n.worker_id]
    assert any(sweeps)  # the killed worker's jobs came back through the sweep
    return invocations


def _sigterm_mid_job(db: str, worker: Node) -> set[str]:
    """SIGTERM while the worker's assignment is held mid-transaction: the worker takes the signal
    and waits; once the assignment can go on it finishes it and exits 0, leaving no job `doing`.
    Returns the bookings it was running."""
    with claims_held(db):
        wait_for(lambda: blocked_claims(db, worker) > 0, f"{worker.name} to be mid-job")
        running = running_jobs(db, worker.worker_id)
        worker.process.send_signal(signal.SIGTERM)
        wait_for(lambda: bool(worker.log_events("worker_stop_requested")), "the signal taken")
        assert worker.process.poll() is None  # still finishing its job
    assert worker.process.wait(timeout=60) == 0
    assert worker.log_events("worker_stopped")
    left = fetch(
        db,
        "SELECT id FROM procrastinate_jobs WHERE status = 'doing' "
        "AND (worker_id IS NULL OR worker_id = %s)",
        worker.worker_id,
    )
    assert running and not left, (running, left)
    return running


def _sigkill_mid_job(db: str, worker: Node) -> set[str]:
    """SIGKILL while the worker's assignment is held mid-transaction: its jobs stay `doing`
    under its id (and its transaction rolls back when the held statement ends). Returns the
    bookings it was running. Its events of jobs already done are written first (no booking can
    settle while claims are held), so that only the killed invocation can lack a terminal."""
    with claims_held(db):
        wait_for(lambda: blocked_claims(db, worker) > 0, f"{worker.name} to be mid-job")
        wait_for(lambda: not checks.unannounced(db), "the events of finished jobs")
        assert stop(worker, signal.SIGKILL) == -signal.SIGKILL
        killed = running_jobs(db, worker.worker_id)
    assert killed
    return killed


async def _restart_api(cluster: Cluster, api: Node, ledger: Ledger) -> Node:
    """SIGTERM one API process; once a client met it away, start it again on its address."""
    failed_before = ledger.failures_at(api.base)
    # uvicorn shuts down gracefully, then re-raises the signal it caught: -SIGTERM, not 0
    assert await asyncio.to_thread(stop, api, signal.SIGTERM) == -signal.SIGTERM
    assert api.log_events("Application shutdown complete.")
    await until(lambda: ledger.failures_at(api.base) > failed_before, "a client to meet it away")
    host, port = api.base.removeprefix("http://").split(":")
    return await asyncio.to_thread(cluster.start_api, api.name, host, int(port))
