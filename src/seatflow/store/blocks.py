"""Table blocks: a table out of use over a window (broken, reserved for an event).

A live block is an occupant of its table for every planner (`occupancy`), and the database refuses
any new allocation overlapping it (migration 0007's trigger), whichever path writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.holds import table_ids
from seatflow.store.queries import query

__all__ = ["Block", "add_block", "live_blocks", "remove_block"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    id: UUID
    table: str
    start: datetime
    until: datetime
    reason: str | None
    created_at: datetime


async def add_block(
    conn: Connection,
    floor: StoredFloor,
    table: str,
    *,
    start: datetime,
    until: datetime,
    reason: str | None = None,
) -> Block:
    (table_id,) = table_ids(floor, [table])
    params = {
        "restaurant_id": floor.restaurant_id,
        "table_id": table_id,
        "start": start,
        "until": until,
        "reason": reason,
    }
    row = await (await conn.execute(query("insert_block"), params)).fetchone()
    assert row is not None
    return Block(
        id=row["id"],
        table=table,
        start=row["start_at"],
        until=row["until"],
        reason=row["reason"],
        created_at=row["created_at"],
    )


async def remove_block(
    conn: Connection, restaurant_id: UUID, block_id: UUID, *, now: datetime
) -> bool:
    """End a block; False when the restaurant has no such live block."""
    params = {"restaurant_id": restaurant_id, "block_id": block_id, "now": now}
    row = await (await conn.execute(query("remove_block"), params)).fetchone()
    return row is not None


async def live_blocks(conn: Connection, restaurant_id: UUID) -> list[Block]:
    rows = await (
        await conn.execute(query("live_blocks"), {"restaurant_id": restaurant_id})
    ).fetchall()
    return [
        Block(
            id=row["id"],
            table=row["table_key"],
            start=row["start_at"],
            until=row["until"],
            reason=row["reason"],
            created_at=row["created_at"],
        )
        for row in rows
    ]
