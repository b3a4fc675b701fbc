"""End-to-end assignment throughput through the real queue: booking row + job → worker process →
V3 coordinator → confirmed, with 1, 2 and 4 worker processes on one PostgreSQL server, and
pgbench's TPC-B on the same server as the yardstick.

Workload: the sample floor copied into N restaurants (different slugs), each given the sample's
booking stream over several evenings (whole days apart, in the future), keeping only the requests
the floor seats as they arrive without re-packing (computed offline with the same planner) —
this measures the queue and the database path, not CP-SAT. Jobs are interleaved across
restaurants, the way many restaurants' traffic arrives.

Per worker count, on a fresh scratch database:

1. peak: every booking of the first evenings is written with its job, held back (scheduled an
   hour ahead) until all workers are up, then released at once (and the statistics refreshed,
   as autovacuum would); assignments/s = settled bookings / (last terminal event − first
   coordinator start);
2. half peak: the last evening's bookings arrive at half that rate; decision latency (the
   coordinator's `duration_ms`) and insert → confirmed latency, p50 / p99.

Round trips: counted in a second pass per worker count, on a fresh database with the same
workload, so that the timed pass runs uninstrumented. In that pass every worker process traces
each of its connections (libpq's protocol trace; a round trip is one run of messages sent and
then answered, so pipelined statements count once), and so does the producer's connection in the
paced phase; totals are divided by the bookings settled. Statements sent are counted too, by name
(`counting.py`). The counted pass's own rate is reported beside the timed one: what the
instruments cost.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/throughput.py

It creates and drops its own databases (seatflow_bench_*) on that server. Prints Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import counting
import psycopg
from pgbench import pgbench_tps
from psycopg.rows import dict_row
from scratch_db import admin, fetch
from workload import Workload, build_workload

from seatflow.domain.scenario import BookingRequest
from seatflow.jobs import ProcrastinateQueue, build_app
from seatflow.jobs.intake import CREATION_TRIGGER
from seatflow.pipeline.availability import booking_row
from seatflow.store.bookings import insert_booking
from seatflow.store.embedded import with_database
from seatflow.store.floors import StoredFloor, import_floor, load_floor
from seatflow.store.migrate import migrate
from seatflow.store.round_trips import RoundTripTrace

TERMINAL = (
    "coordinator.confirmed",
    "coordinator.manual_review",
    "coordinator.retry",
    "coordinator.noop",
    "coordinator.error",
)
SETTLED = ["confirmed", "manual_review", "failed"]


def worker_main(argv: list[str]) -> None:
    """`throughput.py _worker URL CONCURRENCY NAME COUNTS_FILE [counted]`: a `seatflow worker`,
    its statements and round trips counted when asked."""
    url, concurrency, name, counts_file, *mode = argv
    counted = mode == ["counted"]
    if counted:
        counting.install(Path(counts_file).with_suffix(".trace"))
    from seatflow.jobs.worker import WorkerOptions, run_worker
    from seatflow.logging import configure_logging
    from seatflow.settings import load_settings

    settings = load_settings()
    configure_logging("warning")
    try:
        asyncio.run(
            run_worker(settings, url, WorkerOptions(concurrency=int(concurrency), name=name))
        )
    finally:
        if counted:
            counting.save(Path(counts_file))


# ---------------------------------------------------------------------------------------------
# Database plumbing


async def prepare(url: str, workload: Workload) -> dict[str, StoredFloor]:
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        stored = {}
        for floor in workload.floors:
            async with conn.transaction():
                await import_floor(conn, floor)
            stored[floor.slug] = await load_floor(conn, floor.slug)
        await conn.commit()
    return stored


async def write_bookings(
    url: str,
    floors: dict[str, StoredFloor],
    items: list[tuple[str, BookingRequest]],
    *,
    delay: timedelta | None = None,
    rate: float | None = None,
    trace: RoundTripTrace | None = None,
) -> None:
    """Each booking and its job in one transaction, as the API writes them; paced when `rate`."""
    queue = ProcrastinateQueue(build_app())
    started = time.perf_counter()
    async with await psycopg.AsyncConnection.connect(
        url, row_factory=dict_row, autocommit=True
    ) as conn:
        if trace is not None:
            trace.watch(conn)
        for index, (slug, request) in enumerate(items):
            if rate:
                await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
            async with conn.transaction():
                booking = await insert_booking(conn, booking_row(floors[slug], request))
                await queue.enqueue(conn, booking.id, CREATION_TRIGGER, delay, new_booking=True)


def wait_settled(url: str, expected: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while True:
        (row,) = fetch(
            url, "SELECT count(*) AS n FROM bookings WHERE assignment_state = ANY(%s)", SETTLED
        )
        if row["n"] >= expected or time.monotonic() > deadline:
            return time.monotonic()
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# One run


@dataclasses.dataclass
class RunResult:
    workers: int
    peak_bookings: int
    peak_rate: float
    paced_rate: float
    paced_bookings: int
    decision_p50: float
    decision_p99: float
    e2e_p50: float
    e2e_p99: float
    confirmed: int
    review: int
    invocations: int
    worker_statements: Counter[str]
    producer_statements: Counter[str]
    worker_round_trips: int
    producer_round_trips: int

    @property
    def settled(self) -> int:
        return self.confirmed + self.review


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


@dataclasses.dataclass
class Workers:
    processes: list[subprocess.Popen[bytes]]
    counts_files: list[Path]


def start_workers(
    url: str, count: int, concurrency: int, scratch: Path, *, counted: bool
) -> Workers:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEATURE_", "SEATFLOW_"))}
    env.update(
        DATABASE_URL=url, FEATURE_ASSIGNMENT_PIPELINE_V3="true", SEATFLOW_LOG_LEVEL="warning"
    )
    workers = Workers([], [])
    for index in range(count):
        counts = scratch / f"counts-{count}-{index}.json"
        command = [
            sys.executable,
            __file__,
            "_worker",
            url,
            str(concurrency),
            f"w{index}",
            str(counts),
            *(["counted"] if counted else []),
        ]
        with (scratch / f"worker-{count}-{index}.log").open("ab") as log:
            workers.processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=log))
        workers.counts_files.append(counts)
    return workers


def stop_workers(workers: Workers, *, counted: bool) -> tuple[Counter[str], int]:
    """Stop the workers; their statements by name and their round trips, summed (when
    counted)."""
    for process in workers.processes:
        process.terminate()
    total: Counter[str] = Counter()
    trips = 0
    for process, counts in zip(workers.processes, workers.counts_files, strict=True):
        process.wait(timeout=60)
        if not counted:
            continue
        statements, round_trips = counting.load(counts)
        total.update(statements)
        trips += round_trips
    return total, trips


def run_one(
    server_url: str,
    workload: Workload,
    count: int,
    concurrency: int,
    scratch: Path,
    *,
    counted: bool,
) -> RunResult:
    """One pass on a fresh database; `counted` instruments every connection (and costs CPU)."""
    name = f"seatflow_bench_w{count}"
    admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(server_url, f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    try:
        migrate(url)
        floors = asyncio.run(prepare(url, workload))
        asyncio.run(write_bookings(url, floors, workload.peak, delay=timedelta(hours=1)))
        admin(url, "ANALYZE")  # statistics as autovacuum keeps them in a steady state
        workers = start_workers(url, count, concurrency, scratch, counted=counted)
        while fetch(url, "SELECT count(*) AS n FROM procrastinate_workers")[0]["n"] < count:
            time.sleep(0.1)
        released = datetime.now(UTC)
        fetch(
            url,
            "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo' "
            "AND task_name = 'seatflow.auto_assign' RETURNING id",
        )
        # Re-read statistics at once: the held-back jobs were all "an hour ahead" when last
        # analysed, and the fetch plan chosen on that belief is ~20x slower on a long queue.
        admin(url, "ANALYZE procrastinate_jobs")
        wait_settled(url, len(workload.peak), timeout=300)
        peak = phase_stats(url, released, datetime.now(UTC))
        peak_rate = peak["settled"] / peak["span"]
        counting.STATEMENTS.clear()
        paced_from = datetime.now(UTC)
        rate = peak_rate / 2
        paced = workload.paced[: max(50, int(rate * 10))]
        producer_trace = RoundTripTrace(scratch / f"producer-{count}") if counted else None
        asyncio.run(write_bookings(url, floors, paced, rate=rate, trace=producer_trace))
        producer = Counter(counting.STATEMENTS)
        producer_trips = producer_trace.count() if producer_trace else 0
        if producer_trace:
            producer_trace.close()
        wait_settled(url, len(workload.peak) + len(paced), timeout=300)
        statements, worker_trips = stop_workers(workers, counted=counted)
        paced_stats = phase_stats(url, paced_from, datetime.now(UTC))
        totals = fetch(
            url,
            "SELECT count(*) FILTER (WHERE assignment_state = 'confirmed') AS c, "
            "count(*) FILTER (WHERE assignment_state = 'manual_review') AS r "
            "FROM bookings",
        )[0]
        invocations = fetch(
            url,
            "SELECT count(*) AS n FROM observability_events WHERE event_type = 'coordinator.start'",
        )[0]["n"]
        return RunResult(
            workers=count,
            peak_bookings=peak["settled"],
            peak_rate=peak_rate,
            paced_rate=paced_stats["settled"] / paced_stats["span"],
            paced_bookings=len(paced),
            decision_p50=pct(paced_stats["decision"], 0.5),
            decision_p99=pct(paced_stats["decision"], 0.99),
            e2e_p50=pct(paced_stats["e2e"], 0.5),
            e2e_p99=pct(paced_stats["e2e"], 0.99),
            confirmed=totals["c"],
            review=totals["r"],
            invocations=invocations,
            worker_statements=statements,
            producer_statements=producer,
            worker_round_trips=worker_trips,
            producer_round_trips=producer_trips,
        )
    finally:
        admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def phase_stats(url: str, since: datetime, until: datetime) -> dict[str, Any]:
    """Bookings settled in [since, until] by coordinator terminal events (after the flush)."""
    time.sleep(1.0)  # the workers' event sinks flush every 0.5 s
    rows = fetch(
        url,
        "SELECT e.event_type, e.created_at, (e.context->>'duration_ms')::float AS ms, "
        "b.created_at AS booked FROM observability_events e JOIN bookings b ON b.id = e.booking_id "
        "WHERE e.source = 'assignment.coordinator' AND e.event_type = ANY(%s) "
        "AND e.created_at BETWEEN %s AND %s",
        list(TERMINAL),
        since,
        until + timedelta(seconds=5),
    )
    starts = fetch(
        url,
        "SELECT min(created_at) AS t FROM observability_events WHERE event_type = "
        "'coordinator.start' AND created_at >= %s",
        since,
    )
    settled = [r for r in rows if r["event_type"] in TERMINAL[:2]]
    first = starts[0]["t"] or since
    last = max((r["created_at"] for r in settled), default=first)
    return {
        "settled": len(settled),
        "span": max((last - first).total_seconds(), 1e-3),
        "decision": [r["ms"] for r in rows if r["ms"] is not None],
        "e2e": [(r["created_at"] - r["booked"]).total_seconds() * 1000 for r in settled],
    }


# ---------------------------------------------------------------------------------------------
# Report


def per_booking(counts: Counter[str], bookings: int) -> Iterator[tuple[str, float]]:
    for key, n in counts.most_common():
        yield key, n / bookings


def render(results: list[tuple[RunResult, RunResult]], tps: float, binary: str, args: Any) -> str:
    """One row per worker count: rates and latencies from the timed pass, round trips (and the
    instrumented rate) from the counted one."""
    lines = [
        f"pgbench TPC-B (`{binary} -c 4 -j 2 -T {args.pgbench_seconds}`, scale 1, same server): "
        f"**{tps:.0f} TPS**; goal 0.30 × that = {0.3 * tps:.0f} assignments/s.",
        "",
        f"| worker processes (× {args.concurrency} jobs) | bookings (peak) "
        "| assignments/s (peak) | / pgbench TPS "
        "| paced at | decision p50 / p99 ms | insert → confirmed p50 / p99 ms "
        "| confirmed / review | invocations | round trips / booking (workers + producer) "
        "| counted pass: assignments/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r, c in results:
        workers = c.worker_round_trips / c.settled
        producer = c.producer_round_trips / max(c.paced_bookings, 1)
        lines.append(
            f"| {r.workers} | {r.peak_bookings} | {r.peak_rate:.1f} | {r.peak_rate / tps:.3f} "
            f"| {r.paced_rate:.1f}/s ({r.paced_bookings}) "
            f"| {r.decision_p50:.1f} / {r.decision_p99:.1f} | {r.e2e_p50:.1f} / {r.e2e_p99:.1f} "
            f"| {r.confirmed} / {r.review} | {r.invocations} "
            f"| {workers:.1f} + {producer:.1f} = {workers + producer:.1f} "
            f"| {c.peak_rate:.1f} |"
        )
    last = results[-1][1]
    lines += [
        "",
        f"Statements sent per booking, by name ({last.workers} workers run; pipelined "
        "statements share a round trip):",
        "",
        "| source | per booking |",
        "|---|---|",
    ]
    merged = last.worker_statements + last.producer_statements
    for key, value in per_booking(merged, last.settled):
        if value >= 0.05:
            lines.append(f"| `{key}` | {value:.2f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--restaurants", type=int, default=20)
    parser.add_argument("--evenings", type=int, default=3)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("set DATABASE_URL (or --url) to a server where databases may be created")
    counting.install()
    workload = build_workload(args.restaurants, args.evenings)
    print(
        f"workload: {len(workload.peak)} peak + {len(workload.paced)} paced bookings, "
        f"{args.restaurants} restaurants",
        file=sys.stderr,
    )
    tps, binary = pgbench_tps(args.url, args.pgbench_seconds)
    print(f"pgbench: {tps:.0f} TPS", file=sys.stderr)
    results = []
    with tempfile.TemporaryDirectory(prefix="seatflow-bench-") as scratch:
        for count in (int(n) for n in args.workers.split(",")):
            timed, counted = (
                run_one(args.url, workload, count, args.concurrency, Path(scratch), counted=c)
                for c in (False, True)
            )
            print(
                f"{count} workers: {timed.peak_rate:.1f} assignments/s "
                f"({counted.peak_rate:.1f} counted)",
                file=sys.stderr,
            )
            results.append((timed, counted))
    print(render(results, tps, binary, args))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["_worker"]:
        worker_main(sys.argv[2:])
    else:
        sys.exit(main())
