"""The processes of a many-machine test: `seatflow serve` on its own loopback address and
`seatflow worker` processes, each told apart in PostgreSQL by its `application_name` (libpq's
PGAPPNAME) and, for a worker, by the id procrastinate registered it under."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from e2e.jobs.kit import fetch, wait_for
from support.processes import Spawn
from support.stack import api_ready, free_port, json_lines

#: Concurrent V3 assignments per restaurant across the cluster: one, so that the workers of two
#: processes compete for it.
MAX_PARALLEL = 1
#: A worker's heartbeat, and how long a silent worker has until its jobs are taken back: short,
#: so the killed worker's job comes back within seconds (the defaults take 20–45 s).
HEARTBEAT_SECONDS, STALLED_AFTER_SECONDS = 1, 6
#: Every process logs JSON (its lines are read back), honours the same permit count and
#: declares a silent worker dead after the same time.
COMMON = {
    "SEATFLOW_LOG_FORMAT": "json",
    "FEATURE_ASSIGNMENT_PIPELINE_V3_MAX_PARALLEL": str(MAX_PARALLEL),
    "SEATFLOW_WORKER_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
    "SEATFLOW_STALLED_AFTER_SECONDS": str(STALLED_AFTER_SECONDS),
}


@dataclass
class Node:
    """One process: what started it, its name in pg_stat_activity and its log file."""

    name: str
    process: subprocess.Popen[str]
    log: Path
    #: A worker's id in procrastinate_workers (None for an API).
    worker_id: int | None = None
    base: str = ""

    def log_events(self, event: str) -> list[dict[str, Any]]:
        return [line for line in json_lines(self.log) if line.get("event") == event]


@dataclass
class Cluster:
    """Starts the nodes and stops them all; one `spawn_seatflow` underneath (every process it
    started is stopped at teardown)."""

    spawn: Spawn
    db_url: str
    logs: Path
    #: Every process started, in order (stopped ones too: their logs stay readable).
    nodes: list[Node] = field(default_factory=list)

    def _start(self, name: str, *args: str) -> Node:
        log = self.logs / f"{args[0]}-{len(self.nodes)}.log"  # spawn_seatflow's naming
        process = self.spawn(*args, **COMMON, PGAPPNAME=name)
        self.nodes.append(Node(name=name, process=process, log=log))
        return self.nodes[-1]

    def start_api(self, name: str, host: str, port: int | None = None) -> Node:
        """`seatflow serve` on `host` (a loopback address of its own), once it is ready."""
        port = port or free_port(host)
        node = self._start(name, "serve", "--host", host, "--port", str(port))
        node.base = f"http://{host}:{port}"
        wait_for(lambda: api_ready(node.base) or _exited(node), f"{name} to be ready", 60)
        assert node.process.poll() is None, f"{name} exited: {node.log.read_text()[-2000:]}"
        return node

    def start_worker(self, name: str) -> Node:
        """`seatflow worker --concurrency 2`, once it registered (so its id is known); workers
        are started one at a time for that."""
        known = _worker_ids(self.db_url)
        node = self._start(name, "worker", "--concurrency", "2")
        wait_for(
            lambda: bool(_worker_ids(self.db_url) - known) or _exited(node),
            f"{name} to register",
            60,
        )
        assert node.process.poll() is None, f"{name} exited: {node.log.read_text()[-2000:]}"
        (node.worker_id,) = _worker_ids(self.db_url) - known
        return node

    def stop_all(self) -> None:
        """SIGTERM every process still running, and wait: workers finish their jobs and flush
        their events (written in the background, up to 0.5 s after the fact) before exiting."""
        running = [node for node in self.nodes if node.process.poll() is None]
        for node in running:
            node.process.send_signal(signal.SIGTERM)
        for node in running:
            node.process.wait(timeout=60)


def stop(node: Node, how: signal.Signals, timeout: float = 60) -> int:
    node.process.send_signal(how)
    return node.process.wait(timeout=timeout)


def _exited(node: Node) -> bool:
    return node.process.poll() is not None


def _worker_ids(db_url: str) -> set[int]:
    return {row["id"] for row in fetch(db_url, "SELECT id FROM procrastinate_workers")}


def blocked_claims(db_url: str, node: Node) -> int:
    """This process's connections waiting on a lock (an assignment stopped by `claims_held`)."""
    rows = fetch(
        db_url,
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = %s AND wait_event_type = 'Lock'",
        node.name,
    )
    return int(rows[0]["n"])


def running_jobs(db_url: str, worker_id: int | None) -> set[str]:
    """The bookings whose auto-assign job the worker holds `doing`."""
    rows = fetch(
        db_url,
        "SELECT args->>'booking_id' AS booking FROM procrastinate_jobs "
        "WHERE status = 'doing' AND task_name = 'seatflow.auto_assign' AND worker_id = %s",
        worker_id,
    )
    return {row["booking"] for row in rows}


@contextmanager
def claims_held(db_url: str) -> Iterator[None]:
    """While open, every assignment that starts stops in its first round trip, after its claim
    (booking lock, row lock, restaurant permit) and before anything is written: the next
    statement it sent reads `booking_assignment_attempts`, locked here. API writes go on (they
    never touch that table). On exit the lock goes and the assignments carry on."""
    with psycopg.connect(db_url) as conn:
        conn.execute("LOCK TABLE booking_assignment_attempts IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.rollback()
