"""What worker end-to-end tests share: the sample floor with bookings written with their jobs,
SQL reads on the test's database, and waiting for a condition."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from seatflow.documents import parse_scenario_text
from seatflow.jobs import ProcrastinateQueue, build_app
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.floors import import_floor, load_floor

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "samples" / "dev-05-t24-l0.8.json"


async def bookings_with_jobs(db_url: str, party_sizes: Sequence[int]) -> list[UUID]:
    """Import the sample floor; insert one booking per party size (an hour apart, two days
    ahead), each with its job in one transaction."""
    scenario = parse_scenario_text(SAMPLE.read_text())
    queue = ProcrastinateQueue(build_app())
    day = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=2)
    async with await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row) as conn:
        async with conn.transaction():
            await import_floor(conn, scenario.floor)
        floor = await load_floor(conn, scenario.floor.slug)
        ids = []
        for hour, party in enumerate(party_sizes):
            begin, end = floor.plan.policy.occupancy(day + timedelta(hours=hour), party)
            async with conn.transaction():
                booking = await insert_booking(
                    conn,
                    NewBooking(
                        restaurant_id=floor.restaurant_id,
                        party_size=party,
                        start_at=begin,
                        end_at=end,
                    ),
                )
                await queue.enqueue(conn, booking.id, "creation", new_booking=True)
            ids.append(booking.id)
    return ids


def fetch(db_url: str, sql: str, *params: Any) -> list[dict[str, Any]]:
    with psycopg.connect(db_url, row_factory=dict_row, autocommit=True) as conn:
        return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]  # test SQL


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
