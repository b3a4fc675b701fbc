"""An evening of booking requests through the real queue and workers (what `seatflow demo` runs).

Requests arrive in `requested_at` order. Each gets the availability check; an accepted one is
written with its job in one transaction and the next request waits until it is settled, the way
requests minutes apart meet a queue that settles each in milliseconds — so every check sees the
tables of the bookings before it. Worker processes do the assigning; this side only writes and
watches.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from seatflow.domain.scenario import RESULT_FORMAT, Scenario
from seatflow.jobs.app import build_app
from seatflow.jobs.intake import take_request
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.clock import Clock, SystemClock
from seatflow.store.database import Connection, prepare_option
from seatflow.store.floors import StoredFloor
from seatflow.store.simulated import reset_simulated_restaurant

__all__ = ["Evening", "EveningProgress", "run_evening", "shift_into_future"]

SETTLED = ("confirmed", "manual_review", "cancelled", "failed")
_POLL = 0.005


def shift_into_future(scenario: Scenario, now: datetime) -> Scenario:
    """Move the whole stream by whole days so the first service starts tomorrow or later."""
    first = min(b.start_at for b in scenario.bookings)
    if first > now + timedelta(hours=1):
        return scenario
    shift = timedelta(days=(now.date() - first.date()).days + 1)
    moved = tuple(
        replace(b, start_at=b.start_at + shift, requested_at=b.requested_at + shift)
        for b in scenario.bookings
    )
    return replace(scenario, bookings=moved)


@dataclass(slots=True)
class EveningProgress:
    requests: int = 0
    accepted: int = 0
    rejected: int = 0
    settled: int = 0


@dataclass(slots=True)
class Evening:
    """What happened: the scenario result document and how long the queue took."""

    result: dict[str, Any]
    seconds: float
    unsettled: list[UUID] = field(default_factory=list)


async def run_evening(
    url: str,
    scenario: Scenario,
    *,
    repack_budget_ms: int,
    on_progress: Callable[[EveningProgress], None] = lambda _: None,
    settle_timeout: float = 60.0,
    clock: Clock | None = None,
) -> Evening:
    """Push the stream; return once every accepted booking is settled (or the timeout passed)."""
    clock = clock or SystemClock()
    queue = ProcrastinateQueue(build_app())
    progress = EveningProgress()
    accepted: list[UUID] = []
    started = time.perf_counter()
    async with await psycopg.AsyncConnection.connect(
        url, row_factory=dict_row, autocommit=True, **prepare_option()
    ) as conn:
        async with conn.transaction():
            floor = await reset_simulated_restaurant(conn, scenario.floor)
        for request in sorted(scenario.bookings, key=lambda b: (b.requested_at, b.ref)):
            booking = await take_request(
                conn, floor, request, queue, now=clock.now(), repack_budget_ms=repack_budget_ms
            )
            progress.requests += 1
            if booking is None:
                progress.rejected += 1
            else:
                progress.accepted += 1
                accepted.append(booking.id)
                await wait_settled(conn, [booking.id], timeout=settle_timeout / 4)
            progress.settled = progress.accepted - len(await unsettled(conn, accepted))
            on_progress(progress)
        left = await wait_settled(conn, accepted, timeout=settle_timeout)
        progress.settled = progress.accepted - len(left)
        on_progress(progress)
        result = await evening_result(conn, scenario, floor)
    return Evening(result=result, seconds=time.perf_counter() - started, unsettled=left)


async def unsettled(conn: Connection, booking_ids: list[UUID]) -> list[UUID]:
    rows = await (
        await conn.execute(
            "SELECT id FROM bookings WHERE id = ANY(%s) AND NOT (assignment_state = ANY(%s))",
            (booking_ids, list(SETTLED)),
        )
    ).fetchall()
    return [row["id"] for row in rows]


async def wait_settled(conn: Connection, booking_ids: list[UUID], *, timeout: float) -> list[UUID]:
    """Poll until every booking is confirmed, in review or failed; returns those still open."""
    deadline = time.monotonic() + timeout
    left = await unsettled(conn, booking_ids)
    while left and time.monotonic() < deadline:
        await asyncio.sleep(_POLL)
        left = await unsettled(conn, left)
    return left


async def evening_result(
    conn: Connection, scenario: Scenario, floor: StoredFloor
) -> dict[str, Any]:
    """A `seatflow.result/v1` document of the restaurant's bookings, as `simulate` writes it."""
    rows = await (
        await conn.execute(
            "SELECT b.ref, b.assignment_state, COALESCE(array_agg(t.key ORDER BY t.key) "
            "FILTER (WHERE t.key IS NOT NULL), '{}') AS tables "
            "FROM bookings b LEFT JOIN allocations a ON a.booking_id = b.id "
            "AND a.released_at IS NULL LEFT JOIN tables t ON t.id = a.table_id "
            "WHERE b.restaurant_id = %s GROUP BY b.id",
            (floor.restaurant_id,),
        )
    ).fetchall()
    by_ref = {row["ref"]: row for row in rows}
    assignments = []
    counts = {"confirmed": 0, "rejected": 0, "manual_review": 0}
    covers_seated = 0
    for request in scenario.bookings:
        row = by_ref.get(request.ref)
        if row is None:
            outcome, tables = "rejected", []
        elif row["assignment_state"] == "confirmed" and row["tables"]:
            outcome, tables = "confirmed", list(row["tables"])
            covers_seated += request.party_size
        else:
            outcome, tables = "manual_review", []
        counts[outcome] += 1
        assignments.append({"ref": request.ref, "outcome": outcome, "tables": tables})
    return {
        "format": RESULT_FORMAT,
        "scenario": scenario.name,
        "pipeline": "v3",
        "assignments": assignments,
        "summary": {
            "bookings": len(scenario.bookings),
            **counts,
            "covers_requested": sum(b.party_size for b in scenario.bookings),
            "covers_seated": covers_seated,
        },
    }
