"""API latency on a booked-up 60-table floor, and one tenant's latency under another's load.

One run, on a scratch database it creates and drops, against `seatflow serve` (V3) in its own
process:

1. restaurant `bench-a` gets the floor of `dev-12-t60-l1.0` and its whole booking stream, placed
   offline by V3 (re-pack moves applied) and written as confirmed bookings with allocations —
   a booked-up evening; restaurant `bench-b` gets the small sample floor and one booking;
2. create at booked-up times (409 with alternatives) and at times with room (201, cancelled
   again so the floor stays the same), p50 / p99;
3. a day's availability for the booked-up day, p50 / p99;
4. tenant B's simple read (GET one booking) p50 / p99: idle, then while tenant A keeps 12 and
   then 24 availability calls in flight from another process (A's answers counted by status).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
        .venv/bin/python benchmarks/api_latency.py

Prints Markdown. Needs a server where databases may be created (creates `seatflow_bench_api`).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from booked_up import Placed, booked_up, probes
from planner_quality import DEFAULT_DIR
from planning_latency import percentile
from psycopg.rows import dict_row
from scratch_db import admin

from seatflow.documents import parse_scenario_text
from seatflow.domain.scenario import Scenario
from seatflow.pipeline.availability import booking_row
from seatflow.store.api_keys import generate_key, insert_key
from seatflow.store.bookings import insert_booking
from seatflow.store.embedded import with_database
from seatflow.store.floors import import_floor, load_floor
from seatflow.store.queries import query

SCENARIO = DEFAULT_DIR / "dev-12-t60-l1.0.json"
SMALL = Path(__file__).resolve().parents[1] / "src" / "seatflow" / "data" / "sample-evening.json"
DATABASE = "seatflow_bench_api"


# ---------------------------------------------------------------------------------------------
# The booked-up floor


async def prepare(url: str, scenario: Scenario, placed: Placed) -> dict[str, Any]:
    """Both restaurants, the booked-up evening, one booking of B, and a key per restaurant."""
    small = parse_scenario_text(SMALL.read_text()).floor
    small = dataclasses.replace(small, slug="bench-b", name="Bench B")
    big = dataclasses.replace(scenario.floor, slug="bench-a", name="Bench A")
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        keys = {}
        for plan in (big, small):
            restaurant = await import_floor(conn, plan)
            key = generate_key()
            await insert_key(conn, key, restaurant_id=restaurant)
            keys[plan.slug] = key.token
        stored = await load_floor(conn, "bench-a")
        for request, tables in placed:
            row = await insert_booking(conn, booking_row(stored, request, simulated=False))
            await conn.execute(
                "UPDATE bookings SET status = 'confirmed', assignment_state = 'confirmed' "
                "WHERE id = %s",
                (row.id,),
            )
            ids = sorted(stored.table_ids[t] for t in tables)
            await conn.execute(
                query("insert_allocations"),
                {"booking_id": row.id, "table_ids": ids, "start": None, "end": None},
            )
        stored_b = await load_floor(conn, "bench-b")
        day = scenario.bookings[0].start_at
        b_request = dataclasses.replace(scenario.bookings[0], ref="b-1", party_size=2)
        b_row = await insert_booking(conn, booking_row(stored_b, b_request, simulated=False))
        await conn.commit()
    return {
        "keys": keys,
        "booked": len(placed),
        "covers": sum(r.party_size for r, _ in placed),
        "day": day.date().isoformat(),
        "b_booking": str(b_row.id),
    }


# ---------------------------------------------------------------------------------------------
# Measuring


async def timed(client: httpx.AsyncClient, method: str, path: str, **kw: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    response = await client.request(method, path, **kw)
    return (time.perf_counter() - began) * 1000, response


async def measure_creates(
    base: str, key: str, cases: list[tuple[datetime, int]], rounds: int
) -> tuple[list[float], Counter[int], int]:
    """Each case `rounds` times; 201s are cancelled again (not timed). Alternatives counted."""
    headers = {"Authorization": f"Bearer {key}"}
    times: list[float] = []
    statuses: Counter[int] = Counter()
    with_alternatives = 0
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        for _ in range(rounds):
            for start, party in cases:
                body = {"party_size": party, "start_at": start.isoformat()}
                ms, response = await timed(
                    client, "POST", "/v1/restaurants/bench-a/bookings", json=body
                )
                times.append(ms)
                statuses[response.status_code] += 1
                if response.status_code == 201:
                    booking = response.json()["id"]
                    await client.post(f"/v1/restaurants/bench-a/bookings/{booking}/cancel")
                elif response.status_code == 409 and response.json().get("alternatives"):
                    with_alternatives += 1
    return times, statuses, with_alternatives


async def measure_availability(
    base: str, key: str, day: str, rounds: int
) -> tuple[list[float], Counter[int]]:
    headers = {"Authorization": f"Bearer {key}"}
    times: list[float] = []
    statuses: Counter[int] = Counter()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        for index in range(rounds):
            party = (2, 4, 6)[index % 3]
            ms, response = await timed(
                client,
                "GET",
                "/v1/restaurants/bench-a/availability",
                params={"party_size": party, "date": day},
            )
            times.append(ms)
            statuses[response.status_code] += 1
    return times, statuses


async def measure_reads(
    base: str, key: str, booking: str, count: int, limit_s: float = 90.0
) -> tuple[list[float], Counter[int]]:
    """Tenant B's simple read, one at a time with a short pause, for `count` calls or `limit_s`
    seconds (the old code under load needed seconds per read); answers counted by status."""
    headers = {"Authorization": f"Bearer {key}"}
    times: list[float] = []
    statuses: Counter[int] = Counter()
    stop = time.monotonic() + limit_s
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        while len(times) < count and time.monotonic() < stop:
            ms, response = await timed(client, "GET", f"/v1/restaurants/bench-b/bookings/{booking}")
            times.append(ms)
            statuses[response.status_code] += 1
            await asyncio.sleep(0.01)
    return times, statuses


def load_main(argv: list[str]) -> None:
    """`api_latency.py _load BASE KEY DAY CONCURRENCY STOP_FILE`: tenant A's availability flood
    until STOP_FILE exists; prints its answers by status as JSON."""
    base, key, day, concurrency, stop_file = argv
    statuses: Counter[int] = Counter()

    async def caller(client: httpx.AsyncClient, index: int) -> None:
        while not os.path.exists(stop_file):
            response = await client.get(
                "/v1/restaurants/bench-a/availability",
                params={"party_size": (2, 4, 6)[index % 3], "date": day},
            )
            statuses[response.status_code] += 1
            if response.status_code == 429:  # a well-behaved client waits as told
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))

    os.nice(10)  # the flood stands for clients on other machines: it yields this machine's CPU

    async def flood() -> None:
        limits = httpx.Limits(max_connections=int(concurrency) + 2)
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(
            base_url=base, headers=headers, timeout=120, limits=limits
        ) as client:
            await asyncio.gather(*(caller(client, i) for i in range(int(concurrency))))

    asyncio.run(flood())
    print(json.dumps(dict(statuses)))


def under_load(
    base: str, keys: dict[str, str], setup: dict[str, Any], concurrency: int, reads: int
) -> tuple[list[float], Counter[int], dict[str, int]]:
    stop = Path(tempfile.mkdtemp(prefix="seatflow-bench-")) / "stop"
    load = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "_load",
            base,
            keys["bench-a"],
            setup["day"],
            str(concurrency),
            str(stop),
        ],
        stdout=subprocess.PIPE,
    )
    time.sleep(2.0)  # let the flood reach its concurrency
    times, statuses = asyncio.run(measure_reads(base, keys["bench-b"], setup["b_booking"], reads))
    stop.touch()
    out, _ = load.communicate(timeout=120)
    return times, statuses, json.loads(out) if out else {}


# ---------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    url: str, port: int, log: Path, extra_env: dict[str, str]
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEATURE_", "SEATFLOW_"))}
    env.update(
        DATABASE_URL=url,
        FEATURE_ASSIGNMENT_PIPELINE_V3="true",
        SEATFLOW_LOG_LEVEL="warning",
        **extra_env,
    )
    seatflow = Path(sys.executable).parent / "seatflow"
    with log.open("ab") as out:
        server = subprocess.Popen(
            [str(seatflow), "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"seatflow serve did not become ready; see {log}")


def stats(values: list[float]) -> str:
    return f"{percentile(values, 0.5):.1f} | {percentile(values, 0.99):.1f} | {max(values):.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--rounds", type=int, default=3, help="passes over the create cases")
    parser.add_argument("--availability", type=int, default=150, help="availability calls")
    parser.add_argument("--reads", type=int, default=300, help="tenant B reads per phase")
    parser.add_argument(
        "--key-concurrency", type=int, default=None, help="SEATFLOW_KEY_CONCURRENCY of the server"
    )
    parser.add_argument("--log", type=Path, default=Path("/tmp/seatflow-bench-api.log"))
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("set DATABASE_URL (or --url) to a server where databases may be created")
    scenario = parse_scenario_text(SCENARIO.read_text())
    placed = booked_up(scenario)
    full, free = probes(scenario, placed)
    admin(args.url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin(args.url, f'CREATE DATABASE "{DATABASE}"')
    url = with_database(args.url, DATABASE)
    server = None
    try:
        from seatflow.store.migrate import migrate

        migrate(url)
        setup = asyncio.run(prepare(url, scenario, placed))
        admin(url, "ANALYZE")
        port = free_port()
        limit = (
            {}
            if args.key_concurrency is None
            else {"SEATFLOW_KEY_CONCURRENCY": str(args.key_concurrency)}
        )
        server = start_server(url, port, args.log, limit)
        base = f"http://127.0.0.1:{port}"
        keys = setup["keys"]
        asyncio.run(measure_reads(base, keys["bench-b"], setup["b_booking"], 20))  # warm-up
        refused, refused_status, alternatives = asyncio.run(
            measure_creates(base, keys["bench-a"], full, args.rounds)
        )
        fitted, fitted_status, _ = asyncio.run(
            measure_creates(base, keys["bench-a"], free[:: max(1, len(free) // 40)], args.rounds)
        )
        avail, avail_status = asyncio.run(
            measure_availability(base, keys["bench-a"], setup["day"], args.availability)
        )
        idle, _ = asyncio.run(measure_reads(base, keys["bench-b"], setup["b_booking"], args.reads))
        loaded = {n: under_load(base, keys, setup, n, args.reads) for n in (12, 24)}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        admin(args.url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    print(
        render(
            setup,
            full,
            refused,
            refused_status,
            alternatives,
            fitted,
            fitted_status,
            avail,
            avail_status,
            idle,
            loaded,
        )
    )
    return 0


def render(
    setup: dict[str, Any],
    full: list[Any],
    refused: list[float],
    refused_status: Counter[int],
    alternatives: int,
    fitted: list[float],
    fitted_status: Counter[int],
    avail: list[float],
    avail_status: Counter[int],
    idle: list[float],
    loaded: dict[int, tuple[list[float], Counter[int], dict[str, int]]],
) -> str:
    idle_p99 = percentile(idle, 0.99)
    lines = [
        f"Floor `bench-a` (dev-12-t60-l1.0: 60 tables): {setup['booked']} confirmed bookings, "
        f"{setup['covers']} covers on {setup['day']}; {len(full)} (start, party) cases refused "
        f"even re-packed. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.",
        "",
        "| call | n | statuses | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
        f"| create, booked-up time → 409 | {len(refused)} | {dict(refused_status)} "
        f"({alternatives} with alternatives) | {stats(refused)} |",
        f"| create, time with room → 201 | {len(fitted)} | {dict(fitted_status)} "
        f"| {stats(fitted)} |",
        f"| availability, booked-up day | {len(avail)} | {dict(avail_status)} | {stats(avail)} |",
        f"| tenant B GET booking, idle | {len(idle)} | 200 | {stats(idle)} |",
    ]
    for n, (times, mine, theirs) in loaded.items():
        lines.append(
            f"| tenant B GET booking, A running {n} availability calls | {len(times)} "
            f"| {dict(mine)} (A: {theirs}) | {stats(times)} |"
        )
    lines.append("")
    for n, (times, _, _) in loaded.items():
        ratio = percentile(times, 0.99) / idle_p99
        lines.append(f"Tenant B p99 under {n} parallel calls of A: {ratio:.2f} × idle.")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["_load"]:
        load_main(sys.argv[2:])
    else:
        sys.exit(main())
