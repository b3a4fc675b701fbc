"""The relay's SQL: outbox rows fanned out to deliveries, deliveries leased, outcomes recorded.
Functions take a connection and never commit; each caller step is one short transaction, and no
transaction is open while a receiver is called.

Fanning out is one relay at a time (a transaction-level advisory lock tried, not waited for), in
outbox order; claiming too (the claim lock is waited for: it is held only for one statement), so
two relays never lease past an endpoint's limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from seatflow.domain.webhooks import OutboxChange, event_body, event_type_of, trigger_of
from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = [
    "Claimed",
    "Outcome",
    "claim_due",
    "fan_out",
    "record_delivered",
    "record_failure",
]

#: Advisory lock keys (namespace, key) of the fan-out and of the claim.
_LOCK_NAMESPACE = 0x5EA7_0008
_FAN_OUT, _CLAIM = 1, 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Claimed:
    """A leased delivery with what it takes to send it."""

    id: int
    endpoint_id: UUID
    restaurant_id: UUID | None
    event_id: UUID
    event_type: str
    booking_id: UUID | None
    body: str
    attempts: int
    first_attempt_at: datetime
    url: str
    secret: str = field(repr=False)  # never in a log line or a traceback's repr


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """One attempt's result as the log keeps it."""

    status_code: int | None
    error: str | None
    latency_ms: float


async def fan_out(conn: Connection, *, limit: int = 200) -> int:
    """Turn the oldest unpublished outbox rows into deliveries; how many rows were read (0 when
    another relay is fanning out). Simulated bookings' changes are nobody's business."""
    lock = "SELECT pg_try_advisory_xact_lock(%s, %s) AS locked"
    got = await (await conn.execute(lock, (_LOCK_NAMESPACE, _FAN_OUT))).fetchone()
    if got is None or not got["locked"]:
        return 0
    rows = await (await conn.execute(query("unpublished_outbox"), {"limit": limit})).fetchall()
    for row in rows:
        await _fan_out_row(conn, row)
    if rows:
        ids = [row["id"] for row in rows]
        await conn.execute(query("mark_outbox_published"), {"ids": ids})
    return len(rows)


async def _fan_out_row(conn: Connection, row: dict[str, Any]) -> None:
    event_type = event_type_of(row["topic"], row["payload"])
    if event_type is None or row["simulated"] or row["booking_id"] is None:
        return
    change = OutboxChange(
        event_id=row["event_id"],
        topic=row["topic"],
        payload=row["payload"],
        created_at=row["created_at"],
        booking_id=row["booking_id"],
        restaurant_slug=row["restaurant_slug"],
        ref=row["ref"],
        status=row["status"],
        party_size=row["party_size"],
        start_at=row["start_at"],
        tables=tuple(row["tables"]),
        trigger=trigger_of(row["actor"] or row["payload"].get("actor")),
    )
    params = {
        "outbox_id": row["id"],
        "event_id": row["event_id"],
        "event_type": event_type,
        "booking_id": row["booking_id"],
        "restaurant_id": row["restaurant_id"],
        "body": event_body(change, event_type),
        "event_at": row["created_at"],
    }
    await conn.execute(query("fan_out_event"), params)


async def claim_due(
    conn: Connection, *, per_endpoint: int, limit: int, lease: timedelta
) -> list[Claimed]:
    """Lease the deliveries due now (see the SQL for the per-endpoint and per-booking rules)."""
    await conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_NAMESPACE, _CLAIM))
    params = {"per_endpoint": per_endpoint, "limit": limit, "lease": lease}
    rows = await (await conn.execute(query("claim_webhook_deliveries"), params)).fetchall()
    return [Claimed(**row) for row in rows]


async def record_delivered(conn: Connection, delivery_id: int, outcome: Outcome) -> None:
    params = {
        "delivery_id": delivery_id,
        "status_code": outcome.status_code,
        "latency_ms": outcome.latency_ms,
    }
    await conn.execute(query("webhook_delivered"), params)


async def record_failure(
    conn: Connection, claimed: Claimed, outcome: Outcome, next_attempt_at: datetime | None
) -> bool:
    """A failed attempt: retried at `next_attempt_at`, or given up when None. True when giving
    up made its endpoint newly failing (the caller tells that once)."""
    params: dict[str, Any] = {
        "delivery_id": claimed.id,
        "attempts": claimed.attempts,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "latency_ms": outcome.latency_ms,
    }
    if next_attempt_at is not None:
        await conn.execute(query("webhook_retry"), {**params, "next_attempt_at": next_attempt_at})
        return False
    rows: Sequence[dict[str, Any]] = await (
        await conn.execute(query("webhook_given_up"), params)
    ).fetchall()
    return any(row["newly"] for row in rows)
