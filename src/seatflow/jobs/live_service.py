"""The live service's periodic upkeep: no-shows released at their grace deadline, late parties
given the whole turn the door could not give them (`pipeline.whole_turns`), overstays extended
step by step — the pipeline's sweeps (`pipeline.service_sweeps`) on the system clock, with their
floor and state-machine events emitted once each booking's transaction committed.

Bookings an overstay collides with go back to the queue with the trigger `overstay` (the
`auto_assign` task re-assigns them through the coordinator). Run every minute by procrastinate
periodic tasks (`jobs.app.PERIODIC`), and directly by tests with a clock of their own.
"""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

from seatflow.pipeline.clock import Clock
from seatflow.pipeline.event_types import FloorEventType
from seatflow.pipeline.flags import PipelineFlags
from seatflow.pipeline.floor_change import JobQueue
from seatflow.pipeline.floor_events import floor_event
from seatflow.pipeline.service_sweeps import NO_SHOW, extend_overstays, release_no_shows
from seatflow.pipeline.telemetry import state_transition_event
from seatflow.pipeline.whole_turns import give_whole_turns
from seatflow.store.bookings import get_booking
from seatflow.store.database import Connection
from seatflow.store.events import EventSink

__all__ = ["sweep_no_shows", "sweep_overstays", "sweep_whole_turns"]


async def sweep_no_shows(
    pool: AsyncConnectionPool[Connection], sink: EventSink, clock: Clock
) -> int:
    """Release every reservation past its grace with nobody seated; returns how many."""
    now = clock.now()
    released = await release_no_shows(pool, now=now)
    async with pool.connection() as conn:
        for booking_id in released:
            booking = await get_booking(conn, booking_id)
            sink.emit(
                floor_event(
                    FloorEventType.NO_SHOW,
                    at=now,
                    booking_id=booking_id,
                    restaurant_id=booking.restaurant_id if booking else None,
                    severity="warning",
                    reason=NO_SHOW,
                    by="sweep",
                    start_at=booking.start_at if booking else None,
                )
            )
    return len(released)


async def sweep_overstays(
    pool: AsyncConnectionPool[Connection], sink: EventSink, clock: Clock, queue: JobQueue
) -> int:
    """Extend every seated party past its turn; hand back and queue what that collides with.
    Returns how many parties were extended."""
    now = clock.now()
    extended = await extend_overstays(pool, now=now, queue=queue)
    for done in extended:
        for step in done.transitions:
            sink.emit(state_transition_event(step))
        sink.emit(
            floor_event(
                FloorEventType.OVERSTAY_EXTENDED,
                at=now,
                booking_id=done.booking_id,
                restaurant_id=done.restaurant_id,
                severity="warning" if done.displaced else "info",
                until=done.until,
                displaced=list(done.displaced),
            )
        )
    return len(extended)


async def sweep_whole_turns(
    pool: AsyncConnectionPool[Connection],
    sink: EventSink,
    clock: Clock,
    *,
    repack_budget_ms: int,
    flags: PipelineFlags,
) -> int:
    """Give every late party kept short its whole turn where the bookings in its way can all
    move now (in restaurants the flags route to V3); returns how many got it."""
    now = clock.now()
    given = await give_whole_turns(pool, now=now, repack_budget_ms=repack_budget_ms, flags=flags)
    for done in given:
        sink.emit(
            floor_event(
                FloorEventType.WHOLE_TURN_GIVEN,
                at=now,
                booking_id=done.booking_id,
                restaurant_id=done.restaurant_id,
                until=done.until,
                moved=[m.booking_id for m in done.moved],
            )
        )
    return len(given)
