"""Moves: every change of a placed booking's table set, as the `booking_moves` trigger wrote it.

The first placement is not a move; losing tables and getting the same set back is not a move.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = ["last_tables", "move_counts", "moves_of", "set_pinned"]


async def moves_of(conn: Connection, booking_id: UUID) -> list[dict[str, Any]]:
    """from_tables, to_tables, actor, reason, moved_at — oldest first."""
    cursor = await conn.execute(query("booking_moves"), {"booking_id": booking_id})
    return await cursor.fetchall()


async def move_counts(conn: Connection, restaurant_id: UUID) -> dict[UUID, int]:
    cursor = await conn.execute(query("move_counts"), {"restaurant_id": restaurant_id})
    return {row["booking_id"]: row["moves"] for row in await cursor.fetchall()}


async def set_pinned(conn: Connection, booking_id: UUID, *, pinned: bool) -> bool:
    """Pin (or unpin) a booking; False when there is no such booking."""
    cursor = await conn.execute(query("set_pinned"), {"booking_id": booking_id, "pinned": pinned})
    return await cursor.fetchone() is not None


async def last_tables(conn: Connection, booking_id: UUID) -> list[str]:
    """The tables the booking was last placed on, even after it lost them (empty: never placed)."""
    cursor = await conn.execute(query("last_tables"), {"booking_id": booking_id})
    row = await cursor.fetchone()
    return [] if row is None else list(row["tables"])
