"""The live service's periodic work: release no-shows, extend overstays.

Each booking is handled in a short transaction of its own, so one failure costs one booking, not
the sweep. An overstay keeps its tables: the bookings not yet seated that the extension collides
with are handed back to the pipeline (reason and trigger `overstay`) in the same transaction as
the extension, and a job re-assigns each — through the coordinator's lock, checks and events,
re-packing if needed, to review only when no arrangement exists. In production these run as
procrastinate periodic tasks; a simulation calls them on its own clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import structlog
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.states import BookingStatus
from seatflow.errors import TablesTaken
from seatflow.pipeline.departures import mark_no_show
from seatflow.pipeline.floor_change import JobQueue
from seatflow.pipeline.handback import hand_back
from seatflow.store.bookings import Transition, require_booking
from seatflow.store.database import Connection
from seatflow.store.live_service import (
    Overstay,
    colliding_bookings,
    due_no_shows,
    due_overstays,
    extend_stay,
)

__all__ = ["NO_SHOW", "OVERSTAY", "Extended", "release_no_shows", "extend_overstays"]

#: The trigger of the jobs an overstay queues, and the reason in the bookings' history.
OVERSTAY = "overstay"
NO_SHOW = "no_show_grace"

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Extended:
    """One overstay handled: the seated booking, its new end, and whom it displaced."""

    booking_id: UUID
    restaurant_id: UUID
    until: datetime
    displaced: tuple[UUID, ...]
    transitions: tuple[Transition, ...] = field(default=())


async def release_no_shows(
    pool: AsyncConnectionPool[Connection], *, now: datetime, restaurant_id: UUID | None = None
) -> list[UUID]:
    """Every reservation past its grace with nobody seated becomes a no-show; returns them."""
    async with pool.connection() as conn:
        due = await due_no_shows(conn, now, restaurant_id)
    released = []
    for booking_id in due:
        async with pool.connection() as conn, conn.transaction():
            if await mark_no_show(conn, booking_id, now=now, reason=NO_SHOW) is not None:
                released.append(booking_id)
    if released:
        log.info("no_shows_released", count=len(released))
    return released


async def extend_overstays(
    pool: AsyncConnectionPool[Connection],
    *,
    now: datetime,
    queue: JobQueue,
    restaurant_id: UUID | None = None,
) -> list[Extended]:
    """Every seated party past its turn keeps its tables one step longer (or more, when the sweep
    ran late); what it collides with is handed back and queued."""
    async with pool.connection() as conn:
        due = await due_overstays(conn, now, restaurant_id)
    done = []
    for overstay in due:
        try:
            async with pool.connection() as conn, conn.transaction():
                extended = await _extend(conn, overstay, now, queue)
        except TablesTaken:  # someone sat down on its tables: one party, not the sweep, fails
            log.error("overstay_not_extended", booking_id=str(overstay.booking_id))
            continue
        if extended is not None:
            done.append(extended)
    return done


async def _extend(
    conn: Connection, overstay: Overstay, now: datetime, queue: JobQueue
) -> Extended | None:
    booking = await require_booking(conn, overstay.booking_id, for_update=True)
    if booking.status is not BookingStatus.SEATED:
        return None  # left meanwhile
    displaced = await colliding_bookings(
        conn,
        overstay.table_ids,
        start=overstay.occupied_until,
        until=overstay.until,
        booking_id=booking.id,
    )
    transitions: list[Transition] = []
    handed = []
    for other in displaced:
        steps = await hand_back(conn, other, now, actor=f"sweep:{OVERSTAY}", why=OVERSTAY)
        if steps is not None:
            transitions += steps
            handed.append(other)
            await queue.enqueue(conn, other, OVERSTAY)
    await extend_stay(conn, booking.id, until=overstay.until)
    log.info(
        "overstay_extended",
        booking_id=str(booking.id),
        until=overstay.until.isoformat(),
        displaced=len(handed),
    )
    return Extended(
        booking_id=booking.id,
        restaurant_id=booking.restaurant_id,
        until=overstay.until,
        displaced=tuple(handed),
        transitions=tuple(transitions),
    )
