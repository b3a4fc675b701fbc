"""Create → 201 latency on an empty floor, where waits on PostgreSQL are most of what it costs.

`api_latency.py` measures creates on a booked-up 60-table floor: planning dominates there, and one
round trip fewer hides in its noise. Here the floor is the sample's (24 tables) with nothing booked
on the days asked for, so a create costs its HTTP handling, planning one party onto free tables,
and its waits on the server. Pointed through `benchmarks/delay_proxy.py`, each wait costs what a
network would charge for it.

    .venv/bin/python benchmarks/delay_proxy.py --delay-ms 0.5 &
    .venv/bin/python benchmarks/create_latency.py \
        --url postgresql://postgres@127.0.0.1:5432/test \
        --via postgresql://postgres@127.0.0.1:15432/test

`--url` creates, migrates and drops the scratch database `seatflow_bench_create`; the app (in this
process, behind httpx's ASGI transport, V3 on, no workers) reaches it through `--via` (default:
`--url`). Prints one Markdown table row.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from planning_latency import percentile
from psycopg.rows import dict_row
from scratch_db import admin

from seatflow.api import create_app
from seatflow.documents import parse_scenario_text
from seatflow.settings import Settings
from seatflow.store.api_keys import generate_key, insert_key
from seatflow.store.embedded import with_database
from seatflow.store.floors import import_floor

SMALL = Path(__file__).resolve().parents[1] / "src" / "seatflow" / "data" / "sample-evening.json"
DATABASE = "seatflow_bench_create"


async def seed(url: str) -> tuple[str, str]:
    """The sample floor and a key for it: (slug, token)."""
    floor = parse_scenario_text(SMALL.read_text()).floor
    key = generate_key()
    connection = await psycopg.AsyncConnection.connect(url, row_factory=dict_row)
    async with connection as conn, conn.transaction():
        restaurant = await import_floor(conn, floor)
        await insert_key(conn, key, restaurant_id=restaurant)
    return floor.slug, key.token


async def measure(url: str, slug: str, token: str, creates: int) -> list[float]:
    """`creates` bookings of two, one per evening slot, none competing for a table."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, DATABASE_URL=url, FEATURE_ASSIGNMENT_PIPELINE_V3=True
    )
    app = create_app(settings, url, pool_size=4)
    first = (datetime.now(UTC) + timedelta(days=2)).replace(hour=18, minute=0, second=0)
    headers = {"Authorization": f"Bearer {token}"}
    times: list[float] = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=headers
        ) as client,
    ):
        for i in range(-5, creates):  # five to warm the caches, not timed
            start = first + timedelta(days=i % 60 + 5, minutes=30 * (i // 60))
            body = {"party_size": 2, "start_at": start.isoformat()}
            began = time.perf_counter()
            response = await client.post(f"/v1/restaurants/{slug}/bookings", json=body)
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 201:
                raise SystemExit(f"create answered {response.status_code}: {response.text}")
            if i >= 0:
                times.append(elapsed)
    return times


async def run(args: argparse.Namespace) -> None:
    admin(args.url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin(args.url, f'CREATE DATABASE "{DATABASE}"')
    try:
        from seatflow.store.migrate import migrate

        migrate(with_database(args.url, DATABASE))
        slug, token = await seed(with_database(args.url, DATABASE))
        times = await measure(with_database(args.via or args.url, DATABASE), slug, token, args.n)
    finally:
        admin(args.url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    print("| creates | p50 ms | p90 ms | p99 ms | mean ms |")
    print("|---|---|---|---|---|")
    print(
        f"| {len(times)} | {percentile(times, 0.5):.1f} | {percentile(times, 0.9):.1f} "
        f"| {percentile(times, 0.99):.1f} | {statistics.fmean(times):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--via", default=None, help="the URL the app connects through")
    parser.add_argument("-n", type=int, default=200, help="timed creates")
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("give --url or DATABASE_URL: a server where databases may be created")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
