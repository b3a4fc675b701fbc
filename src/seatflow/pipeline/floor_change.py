"""A floor change that never strands a booking.

Replacing a floor can take away the tables a live booking holds — a table removed or shrunk, a
minimum raised, a combination broken. Such a change is refused, listing those bookings, unless
the caller asks to re-assign them: then, in the same transaction as the new floor, each one's
tables are released, it goes back to `assignment_pending` (reason `floor_change`) and an
assignment job with trigger `floor_change` is queued, so a worker seats it on the new floor or
sends it to review. The check and the import hold the restaurant's floor lock, so no assignment
planned on the old floor can commit in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

import structlog

from seatflow.domain.floor import FloorPlan
from seatflow.domain.floor_change import Stranded, stranded_by
from seatflow.errors import FloorChangeRefused
from seatflow.pipeline.handback import hand_back
from seatflow.store.bookings import Transition
from seatflow.store.database import Connection
from seatflow.store.floors import import_floor, live_seatings, lock_floor_for_change
from seatflow.store.reservations import bump

__all__ = ["FLOOR_CHANGE", "FloorChange", "JobQueue", "change_floor"]

#: The trigger of the jobs a floor change queues, and the reason in the bookings' history.
FLOOR_CHANGE = "floor_change"

log = structlog.get_logger(__name__)


class JobQueue(Protocol):
    """Where re-assignment jobs go, written on the caller's connection (its transaction)."""

    async def enqueue(self, conn: Connection, booking_id: UUID, trigger: str) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorChange:
    """What a change did: the restaurant, whether it is new, and the bookings handed back to the
    pipeline with their state changes (announce those after the commit)."""

    restaurant_id: UUID
    created: bool
    reassigned: tuple[Stranded, ...]
    transitions: tuple[Transition, ...]


async def change_floor(
    conn: Connection,
    floor: FloorPlan,
    *,
    now: datetime,
    queue: JobQueue,
    actor: str,
    reassign: bool = False,
) -> FloorChange:
    """Import `floor` in the caller's transaction; FloorChangeRefused (nothing written) when it
    would strand live bookings and `reassign` is false."""
    existing = await lock_floor_for_change(conn, floor.slug)
    stranded: tuple[Stranded, ...] = ()
    if existing is not None:
        stranded = stranded_by(floor, await live_seatings(conn, existing, now))
    if stranded and not reassign:
        raise FloorChangeRefused(stranded)
    restaurant_id = await import_floor(conn, floor)
    await bump(conn, restaurant_id)  # tables may be gone: snapshots of the old floor are stale
    handed: list[Stranded] = []
    transitions: list[Transition] = []
    for item in stranded:
        booking_id = UUID(item.seating.booking_id)
        steps = await hand_back(conn, booking_id, now, actor=actor, why=FLOOR_CHANGE)
        if steps is None:
            continue  # closed meanwhile: its tables matter no more
        handed.append(item)
        transitions += steps
        await queue.enqueue(conn, booking_id, FLOOR_CHANGE)
    log.info(
        "floor_changed",
        restaurant=floor.slug,
        created=existing is None,
        tables=len(floor.tables),
        reassigned=len(handed),
    )
    return FloorChange(
        restaurant_id=restaurant_id,
        created=existing is None,
        reassigned=tuple(handed),
        transitions=tuple(transitions),
    )
