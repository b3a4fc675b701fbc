"""Read-only queries the HTTP API needs beyond the core store: a booking's view, the review
queue, the event log and the backlog gauges behind /metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = [
    "Backlog",
    "BookingParts",
    "EventFilter",
    "assignment_backlog",
    "booking_parts",
    "ping",
    "review_queue",
    "search_events",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingParts:
    """What a booking's view shows beyond its row: state changes and table moves (oldest
    first), and the keys of its live tables."""

    history: list[dict[str, Any]]
    moves: list[dict[str, Any]]
    tables: list[str]


async def booking_parts(conn: Connection, booking_id: UUID) -> BookingParts:
    """The three reads sent together (psycopg's pipeline mode): one round trip, not three —
    every booking the API answers with pays for them."""
    params = {"booking_id": booking_id}
    async with conn.pipeline():
        history = await conn.execute(query("state_history"), params)
        moves = await conn.execute(query("booking_moves"), params)
        tables = await conn.execute(query("booking_table_keys"), params)
    return BookingParts(
        history=list(await history.fetchall()),
        moves=list(await moves.fetchall()),
        tables=[row["key"] for row in await tables.fetchall()],
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class EventFilter:
    source: str | None = None
    event_type: str | None = None
    since: datetime | None = None
    booking_id: UUID | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Backlog:
    pending: int
    in_review: int
    shadow_mismatches: int
    #: Jobs due and not yet taken by a worker, and the age of the oldest of them.
    jobs_due: int
    queue_lag_seconds: float


async def review_queue(
    conn: Connection, restaurant_id: UUID, *, limit: int = 500
) -> list[dict[str, Any]]:
    params = {"restaurant_id": restaurant_id, "limit": limit}
    return list(await (await conn.execute(query("review_queue"), params)).fetchall())


async def search_events(conn: Connection, search: EventFilter) -> list[dict[str, Any]]:
    params = {
        "source": search.source,
        "event_type": search.event_type,
        "since": search.since,
        "booking_id": search.booking_id,
        "limit": search.limit,
    }
    return list(await (await conn.execute(query("search_events"), params)).fetchall())


async def assignment_backlog(conn: Connection, *, shadow_since: datetime) -> Backlog:
    row = await (
        await conn.execute(query("assignment_backlog"), {"since": shadow_since})
    ).fetchone()
    assert row is not None
    return Backlog(
        pending=int(row["pending"]),
        in_review=int(row["in_review"]),
        shadow_mismatches=int(row["shadow_mismatches"]),
        jobs_due=int(row["jobs_due"]),
        queue_lag_seconds=max(0.0, float(row["queue_lag_seconds"])),
    )


async def ping(conn: Connection) -> None:
    await conn.execute(query("ping"))
