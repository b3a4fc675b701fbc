"""Read-only look-ups for the operator's commands: a booking by the short id the CLI prints."""

from __future__ import annotations

from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = ["bookings_by_prefix"]


async def bookings_by_prefix(conn: Connection, prefix: str) -> list[tuple[UUID, str]]:
    """(id, restaurant slug) of up to five bookings whose id starts with `prefix` (lower-case hex
    and dashes, checked by the caller)."""
    rows = await (await conn.execute(query("bookings_by_id_prefix"), {"prefix": prefix})).fetchall()
    return [(row["id"], row["slug"]) for row in rows]
