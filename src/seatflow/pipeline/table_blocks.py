"""A broken table: blocked over a window, the bookings on it then handed back to the pipeline.

Seated guests are never moved. Every booking not yet seated whose tables include the table in the
window goes back to `assignment_pending` (reason and trigger `table_out`) in the same transaction
as the block, and a job re-assigns it elsewhere — or sends it to review with the reason. From the
block's commit on, every planner sees the table as occupied and the database refuses any new
allocation on it in the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from seatflow.pipeline.floor_change import JobQueue
from seatflow.pipeline.handback import hand_back
from seatflow.store.blocks import Block, add_block
from seatflow.store.bookings import Transition
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.holds import table_ids
from seatflow.store.live_service import colliding_bookings
from seatflow.store.reservations import bump

__all__ = ["TABLE_OUT", "Blocked", "block_table"]

TABLE_OUT = "table_out"


@dataclass(frozen=True, slots=True, kw_only=True)
class Blocked:
    block: Block
    displaced: tuple[UUID, ...]
    transitions: tuple[Transition, ...]


async def block_table(
    conn: Connection,
    floor: StoredFloor,
    table: str,
    *,
    start: datetime,
    until: datetime,
    now: datetime,
    queue: JobQueue,
    actor: str,
    reason: str | None = None,
) -> Blocked:
    """Take `table` out of use over [start, until), in the caller's transaction."""
    ids = table_ids(floor, [table])
    displaced = await colliding_bookings(conn, ids, start=start, until=until)
    transitions: list[Transition] = []
    handed = []
    for booking_id in displaced:
        steps = await hand_back(conn, booking_id, now, actor=actor, why=TABLE_OUT)
        if steps is not None:
            transitions += steps
            handed.append(booking_id)
            await queue.enqueue(conn, booking_id, TABLE_OUT)
    block = await add_block(conn, floor, table, start=start, until=until, reason=reason)
    await bump(conn, floor.restaurant_id)
    return Blocked(block=block, displaced=tuple(handed), transitions=tuple(transitions))
