"""Idempotency keys of booking creates: which booking a client's key made, for how long.

A key belongs to one restaurant. Its row is written in the transaction that writes the booking
(`claim_key`), so the two commit together or not at all: a client that lost the answer and sends
the request again finds the booking. The primary key makes concurrent claims of one key wait for
the first to commit; the later ones learn the key is taken and roll back. Rows older than the
retention count as absent and are deleted by the periodic sweep. Functions never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = ["KeyUse", "RestaurantKey", "claim_key", "find_key", "sweep_keys"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RestaurantKey:
    """A client's key within one restaurant, and the fingerprint of the body it came with."""

    restaurant_id: UUID
    key: str
    fingerprint: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyUse:
    """What a key already stands for: the body's fingerprint and the booking it created."""

    fingerprint: str
    booking_id: UUID


async def find_key(conn: Connection, key: RestaurantKey, retention: timedelta) -> KeyUse | None:
    params = {"restaurant_id": key.restaurant_id, "key": key.key, "retention": retention}
    row = await (await conn.execute(query("find_idempotency_key"), params)).fetchone()
    return (
        None
        if row is None
        else KeyUse(fingerprint=row["fingerprint"], booking_id=row["booking_id"])
    )


async def claim_key(
    conn: Connection, key: RestaurantKey, booking_id: UUID, retention: timedelta
) -> KeyUse | None:
    """Record `key` for `booking_id` (None), or return the use another request committed first.

    Waits for a concurrent claim of the same key to finish; the caller must roll back when a
    use comes back, since its booking is then a duplicate.
    """
    params = {
        "restaurant_id": key.restaurant_id,
        "key": key.key,
        "fingerprint": key.fingerprint,
        "booking_id": booking_id,
        "retention": retention,
    }
    for _ in range(3):  # the row found in conflict may vanish before it is read (its booking gone)
        claimed = await (await conn.execute(query("claim_idempotency_key"), params)).fetchone()
        if claimed is not None:
            return None
        earlier = await find_key(conn, key, retention)
        if earlier is not None:
            return earlier
    raise RuntimeError(f"idempotency key {key.key!r} neither free nor readable")


async def sweep_keys(conn: Connection, retention: timedelta, *, limit: int = 1000) -> int:
    """Delete keys past their retention, at most `limit`; returns how many."""
    cursor = await conn.execute(
        query("sweep_idempotency_keys"), {"retention": retention, "limit": limit}
    )
    return cursor.rowcount
