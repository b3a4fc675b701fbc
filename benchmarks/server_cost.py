"""What one booking costs the PostgreSQL server: WAL bytes, rows written by table, and backend
CPU seconds beside the CPU seconds of the processes around it (API, workers) — the figures
docs/scaling.md sizes one server, and the point where sharding by restaurant is needed, with.

Workload: `throughput.py`'s (the sample floor in N restaurants, each given the sample's booking
stream on two evenings, only the requests seated without a re-pack). On a fresh scratch database,
three phases, each measured on its own (`server_meter.py`):

1. intake (direct) — the first evening's bookings, each written with its job in one transaction
   as `throughput.py` writes them;
2. intake (API) — the second evening's, posted to a `seatflow serve` (4 clients, each with its
   own restaurants in order, an `Idempotency-Key` on every create): the acceptance snapshot, the
   version claim, the key row come in too; CPU outside PostgreSQL is the API process with its
   planning processes;
3. assignment — every job (held back until now) run by plain `seatflow worker` processes until
   every booking is settled; CPU outside PostgreSQL is the workers'.

WAL comes from pg_walinspect, keeping only this database's records (a block of one of its
relations, or the commit of a transaction that wrote one), since the server may be shared;
`pg_current_wal_lsn()`'s delta is printed beside it. Rows: pg_stat_user_tables deltas. CPU:
/proc/<pid>/stat (utime + stime) of this database's backends, sampled every 0.2 s, and of the
processes. So the server must run on this machine, and the user be a superuser.

DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/server_cost.py

It creates and drops its own database (seatflow_bench_cost). Prints Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psycopg
from api_latency import free_port, start_server
from psycopg.rows import dict_row
from scratch_db import admin, fetch
from server_meter import Meter, Phase, cpu_seconds, render, tree_cpu
from throughput import prepare, wait_settled, write_bookings
from workload import build_workload

from seatflow.domain.scenario import BookingRequest
from seatflow.store.api_keys import generate_key, insert_key
from seatflow.store.embedded import with_database
from seatflow.store.floors import StoredFloor
from seatflow.store.migrate import migrate

DATABASE = "seatflow_bench_cost"
Items = list[tuple[str, BookingRequest]]


def start_workers(url: str, count: int, concurrency: int) -> list[subprocess.Popen[bytes]]:
    """Plain `seatflow worker` processes (throughput.py's count statements: not here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEATURE_", "SEATFLOW_"))}
    env.update(
        DATABASE_URL=url,
        FEATURE_ASSIGNMENT_PIPELINE_V3="true",
        SEATFLOW_LOG_LEVEL="warning",
        PGAPPNAME="workers",  # their backends' CPU is told apart by it
    )
    command = [sys.executable, "-m", "seatflow.cli", "worker", "--metrics-port", "0"]
    return [
        subprocess.Popen([*command, "--concurrency", str(concurrency)], env=env)
        for _ in range(count)
    ]


def intake_direct(server_url: str, url: str, floors: dict[str, StoredFloor], items: Items) -> Phase:
    """Each booking written with its job (held back an hour) by this process."""
    meter, client = Meter(server_url, url, DATABASE), time.process_time()
    asyncio.run(write_bookings(url, floors, items, delay=timedelta(hours=1)))
    client_cpu = time.process_time() - client
    meter.stop_cpu()  # the producer's connection is closed: its backend's last sample is in
    return meter.finish("intake (direct)", len(items), {"producer": client_cpu})


def api_and_workers(
    server_url: str, url: str, floors: dict[str, StoredFloor], items: Items, args: Any
) -> tuple[Phase, int]:
    """Each booking posted to `seatflow serve` while workers assign them, until all are
    settled: the steady state. Returns the phase and the refusals (409)."""
    tokens = asyncio.run(_keys(url, floors))
    with tempfile.TemporaryDirectory(prefix="seatflow-cost-") as scratch:
        server = start_server(
            url, port := free_port(), Path(scratch) / "serve.log", {"PGAPPNAME": "API"}
        )
        workers = start_workers(url, args.workers, args.concurrency)
        try:
            _registered(url, args.workers)
            meter = Meter(server_url, url, DATABASE)
            before = {p.pid: tree_cpu(p.pid) for p in (server, *workers)}
            accepted, refused = asyncio.run(_post_all(f"http://127.0.0.1:{port}", tokens, items))
            wait_settled(url, fetch(url, "SELECT count(*) AS n FROM bookings")[0]["n"], 600)
            used = {p.pid: tree_cpu(p.pid) - before[p.pid] for p in (server, *workers)}
            meter.stop_cpu()
        finally:
            _stop(server, *workers)
    cpu = {"API": used[server.pid], "workers": sum(used[w.pid] for w in workers)}
    return meter.finish("API + workers", accepted, cpu), refused


async def _keys(url: str, floors: dict[str, StoredFloor]) -> dict[str, str]:
    tokens = {}
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        for slug, floor in floors.items():
            key = generate_key()
            async with conn.transaction():
                await insert_key(conn, key, restaurant_id=floor.restaurant_id)
            tokens[slug] = key.token
    return tokens


async def _post_all(
    base: str, tokens: dict[str, str], items: Items, clients: int = 4
) -> tuple[int, int]:
    """`clients` callers, each posting its restaurants' requests in their order."""
    slugs = sorted(tokens)
    answers: list[int] = []

    async def caller(mine: set[str]) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for slug, request in (item for item in items if item[0] in mine):
                headers = {
                    "Authorization": f"Bearer {tokens[slug]}",
                    "Idempotency-Key": str(uuid4()),
                }
                body = {
                    "party_size": request.party_size,
                    "start_at": request.start_at.isoformat(),
                    "zone_preference": request.zone_preference,
                }
                path = f"/v1/restaurants/{slug}/bookings"
                answers.append((await http.post(path, json=body, headers=headers)).status_code)

    await asyncio.gather(*(caller(set(slugs[i::clients])) for i in range(clients)))
    unexpected = [code for code in answers if code not in (201, 409)]
    assert not unexpected, unexpected
    return answers.count(201), answers.count(409)


def _registered(url: str, workers: int) -> None:
    """Wait for the workers to register, then for their start-up (not counted) to pass."""
    while fetch(url, "SELECT count(*) AS n FROM procrastinate_workers")[0]["n"] < workers:
        time.sleep(0.1)
    time.sleep(2)


def _stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(timeout=60)


def assignment(server_url: str, url: str, bookings: int, args: Any) -> Phase:
    """Workers released on the held jobs until every booking is settled."""
    processes = start_workers(url, args.workers, args.concurrency)
    try:
        _registered(url, args.workers)
        meter = Meter(server_url, url, DATABASE)
        started = {p.pid: cpu_seconds(p.pid) or 0.0 for p in processes}
        fetch(
            url,
            "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo' "
            "AND task_name = 'seatflow.auto_assign' RETURNING id",
        )
        admin(url, "ANALYZE procrastinate_jobs")  # as throughput.py: the plan for a long queue
        wait_settled(url, bookings, timeout=600)
        worker_cpu = sum((cpu_seconds(p.pid) or 0.0) - started[p.pid] for p in processes)
        meter.stop_cpu()
    finally:
        _stop(*processes)
    return meter.finish("assignment", bookings, {"workers": worker_cpu})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--restaurants", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("set DATABASE_URL (or --url) to a server where databases may be created")
    workload = build_workload(args.restaurants, 3)  # evenings 1 and 2 are the peak stream
    half = len(workload.peak) // 2
    admin(args.url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin(args.url, f'CREATE DATABASE "{DATABASE}"')
    url = with_database(args.url, DATABASE)
    try:
        migrate(url)
        admin(url, "CREATE EXTENSION IF NOT EXISTS pg_walinspect")
        floors = asyncio.run(prepare(url, workload))
        admin(url, "ANALYZE")
        direct = intake_direct(args.url, url, floors, workload.peak[:half])
        admin(url, "ANALYZE")  # as throughput.py: statistics as autovacuum keeps them
        work = assignment(args.url, url, direct.bookings, args)
        steady, refused = api_and_workers(args.url, url, floors, workload.peak[half:], args)
    finally:
        admin(args.url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    print(
        f"{args.restaurants} restaurants; {direct.bookings} bookings written directly, then "
        f"assigned; {steady.bookings} more posted through the API while the workers ran "
        f"({refused} refused); {args.workers} worker processes × {args.concurrency} jobs.\n"
    )
    print(render([direct, work, steady], total=[direct, work]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
