"""Webhook endpoints and their delivery log in PostgreSQL. Functions take a connection and never
commit.

An endpoint belongs to one owner: a restaurant, or nobody (`restaurant_id` None: an admin's
endpoint that hears every restaurant). Every lookup is by id *and* owner, so a restaurant's key
cannot reach another's endpoint even by its id. The secret is written once and never read back
here (only the relay reads it, to sign).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = [
    "DeliveryRecord",
    "EndpointChange",
    "EndpointRecord",
    "NewEndpoint",
    "ReplaySelection",
    "delete_endpoint",
    "deliveries_of",
    "endpoints_of",
    "insert_endpoint",
    "owned",
    "replay",
    "update_endpoint",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class NewEndpoint:
    restaurant_id: UUID | None
    url: str
    event_types: tuple[str, ...]
    secret: str
    description: str | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointChange:
    """What to change; None keeps the field as it is."""

    url: str | None = None
    event_types: tuple[str, ...] | None = None
    description: str | None = None
    enabled: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointRecord:
    id: UUID
    restaurant_id: UUID | None
    restaurant_slug: str | None
    url: str
    event_types: tuple[str, ...]
    description: str | None
    enabled: bool
    failing_since: datetime | None
    last_success_at: datetime | None
    created_at: datetime
    updated_at: datetime
    pending: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRecord:
    id: int
    event_id: UUID
    event_type: str
    booking_id: UUID | None
    event_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    latency_ms: float | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaySelection:
    """One event (`event_id`), or the events in [since, until) (either end may be open)."""

    event_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


def _endpoint(row: dict[str, Any]) -> EndpointRecord:
    return EndpointRecord(**{**row, "event_types": tuple(row["event_types"])})


async def insert_endpoint(conn: Connection, new: NewEndpoint) -> EndpointRecord:
    params = {
        "restaurant_id": new.restaurant_id,
        "url": new.url,
        "event_types": list(new.event_types),
        "description": new.description,
        "secret": new.secret,
        "enabled": new.enabled,
    }
    row = await (await conn.execute(query("insert_webhook_endpoint"), params)).fetchone()
    assert row is not None
    (record,) = await endpoints_of(conn, new.restaurant_id, endpoint_id=row["id"])
    return record


async def endpoints_of(
    conn: Connection, restaurant_id: UUID | None, *, endpoint_id: UUID | None = None
) -> list[EndpointRecord]:
    """The owner's endpoints (or the one with this id, when it is the owner's)."""
    params = {"restaurant_id": restaurant_id, "endpoint_id": endpoint_id}
    rows = await (await conn.execute(query("webhook_endpoints_of"), params)).fetchall()
    return [_endpoint(row) for row in rows]


async def update_endpoint(
    conn: Connection, restaurant_id: UUID | None, endpoint_id: UUID, change: EndpointChange
) -> EndpointRecord | None:
    """The endpoint as changed, or None when the owner has no such endpoint."""
    params = {
        "restaurant_id": restaurant_id,
        "endpoint_id": endpoint_id,
        "url": change.url,
        "event_types": None if change.event_types is None else list(change.event_types),
        "description": change.description,
        "enabled": change.enabled,
    }
    row = await (await conn.execute(query("update_webhook_endpoint"), params)).fetchone()
    if row is None:
        return None
    (record,) = await endpoints_of(conn, restaurant_id, endpoint_id=endpoint_id)
    return record


async def delete_endpoint(conn: Connection, restaurant_id: UUID | None, endpoint_id: UUID) -> bool:
    params = {"restaurant_id": restaurant_id, "endpoint_id": endpoint_id}
    return (
        await (await conn.execute(query("delete_webhook_endpoint"), params)).fetchone()
    ) is not None


async def deliveries_of(
    conn: Connection, endpoint_id: UUID, *, status: str | None = None, limit: int = 100
) -> list[DeliveryRecord]:
    """The endpoint's delivery log, newest event first."""
    params = {"endpoint_id": endpoint_id, "status": status, "limit": limit}
    rows = await (await conn.execute(query("webhook_deliveries_of"), params)).fetchall()
    return [DeliveryRecord(**row) for row in rows]


async def replay(conn: Connection, endpoint_id: UUID, selection: ReplaySelection) -> int:
    """Queue the selected deliveries again, now; how many."""
    params = {
        "endpoint_id": endpoint_id,
        "event_id": selection.event_id,
        "since": selection.since,
        "until": selection.until,
    }
    rows = await (await conn.execute(query("replay_webhook_deliveries"), params)).fetchall()
    return len(rows)


def owned(records: Sequence[EndpointRecord]) -> EndpointRecord | None:
    """The one endpoint a by-id lookup found, or None."""
    return records[0] if records else None
