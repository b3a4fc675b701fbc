"""What each moment of a simulated service day does, through the pipeline's own functions.

A request is checked like the API checks it (service rules and pacing, then the route's
reservation planner on a snapshot), written, and queued for assignment. Cancellations, changes,
arrivals, departures and broken tables call the same pipeline functions as the API's routes; the
sweeps are the periodic jobs' functions. Everything the result needs that the database does not
hold — who was turned away and why, who stood at the door — is kept here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from seatflow.domain.scenario import BookingRequest
from seatflow.domain.service import NO_AVAILABILITY
from seatflow.domain.service_day import (
    Arrive,
    Cancel,
    DayEvent,
    Depart,
    Modify,
    ServiceDay,
    TableOut,
)
from seatflow.domain.states import BookingStatus
from seatflow.errors import SeatingRefused
from seatflow.pipeline.admission import refusal_for
from seatflow.pipeline.availability import booking_row, reserve_for_route
from seatflow.pipeline.cancellation import cancel
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.departures import depart, requeue_waiting
from seatflow.pipeline.flags import Route
from seatflow.pipeline.handback import back_to_pending
from seatflow.pipeline.seating import NO_TABLE_FREE, seat_arrival, seat_walk_in
from seatflow.pipeline.service_sweeps import extend_overstays, release_no_shows
from seatflow.pipeline.table_blocks import block_table
from seatflow.pipeline.whole_turns import give_whole_turns
from seatflow.planning.model import PlanFailure, PlanRequest
from seatflow.store.bookings import get_booking, insert_booking, require_booking
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.reschedule import reschedule_booking
from seatflow.store.reservations import read_snapshot

__all__ = ["ACTOR", "DayActions", "DayTally"]

ACTOR = "simulation"
Enqueue = Callable[[UUID, str, datetime], Awaitable[None]]


@dataclass(slots=True)
class DayTally:
    """What the database does not keep: refusals by ref, the displaced, the modifications."""

    refs: dict[str, UUID] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    displaced: set[str] = field(default_factory=set)
    modifications_accepted: int = 0
    modifications_refused: int = 0


class _Queue:
    """The pipeline's JobQueue for a simulation: jobs run on the simulated clock."""

    def __init__(self, enqueue: Enqueue, clock: SimulatedClock) -> None:
        self._enqueue, self._clock = enqueue, clock

    async def enqueue(self, conn: Connection, booking_id: UUID, trigger: str) -> None:
        await self._enqueue(booking_id, trigger, self._clock.now())


class DayActions:
    def __init__(
        self,
        day: ServiceDay,
        floor: StoredFloor,
        route: Route,
        services: object,
        clock: SimulatedClock,
        *,
        enqueue: Enqueue,
    ) -> None:
        self.day, self.floor, self.route, self.clock = day, floor, route, clock
        self.rules = day.rules
        self.pool = services.pool  # type: ignore[attr-defined]
        self.repack_budget_ms: int = services.settings.repack_budget_ms  # type: ignore[attr-defined]
        # Legacy seats at the door as it assigns: on free tables only, never re-packing.
        self.budget = self.repack_budget_ms if route is Route.V3 else 0
        self.queue = _Queue(enqueue, clock)
        self.tally = DayTally()

    async def handle(self, item: DayEvent | BookingRequest) -> datetime | None:
        """Act on one request or event; a time to come back when early guests must wait."""
        if isinstance(item, BookingRequest):
            await (self._walk_in(item) if item.source == "walk_in" else self._request(item))
            return None
        booking_id = self.tally.refs.get(getattr(item, "ref", ""))
        if isinstance(item, TableOut):
            await self._table_out(item)
        elif booking_id is None:
            return None  # about a booking never created: ignored
        elif isinstance(item, Cancel):
            await self._cancel(booking_id)
        elif isinstance(item, Modify):
            await self._modify(booking_id, item)
        elif isinstance(item, Arrive):
            return await self._arrive(booking_id, item)
        elif isinstance(item, Depart):
            await self._depart(booking_id)
        return None

    async def sweep(self, now: datetime) -> None:
        """The periodic jobs, on the simulated clock."""
        restaurant = self.floor.restaurant_id
        await release_no_shows(self.pool, now=now, restaurant_id=restaurant)
        if self.route is Route.V3:  # moving bookings early is a re-pack: legacy never does it
            await give_whole_turns(
                self.pool, now=now, repack_budget_ms=self.budget, restaurant_id=restaurant
            )
        await extend_overstays(self.pool, now=now, queue=self.queue, restaurant_id=restaurant)

    async def _request(self, request: BookingRequest) -> None:
        start, end = self.rules.occupancy(
            self.floor.plan.policy, request.start_at, request.party_size, request.duration_minutes
        )
        async with self.pool.connection() as conn:
            refusal = await self._refusal(conn, request.start_at, request.party_size, None)
            if refusal is None:
                refusal = await self._no_room(
                    f"request:{request.ref}",
                    request.party_size,
                    start,
                    end,
                    None,
                    request.zone_preference,
                )
            if refusal is not None:
                self.tally.rejected[request.ref] = refusal
                return
            async with conn.transaction():
                booking = await insert_booking(
                    conn, booking_row(self.floor, request, rules=self.rules)
                )
                await self.queue.enqueue(conn, booking.id, "creation")
        self.tally.refs[request.ref] = booking.id

    async def _refusal(
        self, conn: Connection, start_at: datetime, party: int, exclude: UUID | None
    ) -> str | None:
        return await refusal_for(
            conn,
            self.floor.restaurant_id,
            self.rules,
            start_at=start_at,
            party_size=party,
            exclude=exclude,
        )

    async def _no_room(
        self,
        probe_id: str,
        party: int,
        start: datetime,
        end: datetime,
        exclude: UUID | None,
        zone: str | None,
    ) -> str | None:
        """`no_availability` when the route's reservation planner cannot promise the window."""
        async with self.pool.connection() as own:  # a snapshot is a transaction of its own
            snapshot = await read_snapshot(
                own, self.floor, start=start, end=end, now=self.clock.now(), exclude=exclude
            )
        probe = PlanRequest(
            booking_id=probe_id, party_size=party, start=start, end=end, zone_preference=zone
        )
        verdict = reserve_for_route(
            self.floor.plan,
            probe,
            snapshot.unplaced,
            snapshot.occupants,
            self.route,
            self.repack_budget_ms,
        )
        return NO_AVAILABILITY if isinstance(verdict, PlanFailure) else None

    async def _walk_in(self, request: BookingRequest) -> None:
        now = self.clock.now()
        try:
            async with self.pool.connection() as conn, conn.transaction():
                seated = await seat_walk_in(
                    conn,
                    self.floor,
                    self.rules,
                    party_size=request.party_size,
                    now=now,
                    actor=ACTOR,
                    repack_budget_ms=self.budget,
                    ref=request.ref,
                    zone_preference=request.zone_preference,
                    simulated=True,
                )
        except SeatingRefused as refused:
            reason = NO_AVAILABILITY if refused.reason == NO_TABLE_FREE else refused.reason
            self.tally.rejected[request.ref] = reason
            return
        self.tally.refs[request.ref] = seated.booking.id

    async def _cancel(self, booking_id: UUID) -> None:
        async with self.pool.connection() as conn, conn.transaction():
            booking = await require_booking(conn, booking_id, for_update=True)
            if booking.status in (BookingStatus.PENDING, BookingStatus.CONFIRMED):
                await cancel(conn, booking, now=self.clock.now(), actor=ACTOR)

    async def _modify(self, booking_id: UUID, change: Modify) -> None:
        accepted = await self._try_modify(booking_id, change)
        if accepted:
            self.tally.modifications_accepted += 1
        else:
            self.tally.modifications_refused += 1

    async def _try_modify(self, booking_id: UUID, change: Modify) -> bool:
        """Accepted only if the changed booking can be seated (hours, pacing, tables)."""
        now, plan = self.clock.now(), self.floor.plan
        async with self.pool.connection() as conn:
            booking = await require_booking(conn, booking_id)
            if booking.status not in (BookingStatus.PENDING, BookingStatus.CONFIRMED):
                return False
            start_at = change.start_at or booking.start_at
            party = change.party_size or booking.party_size
            start, end = self.rules.occupancy(plan.policy, start_at, party)
            if await self._refusal(conn, start_at, party, booking.id) is not None:
                return False
            probe_id = str(booking.id)
            zone = booking.zone_preference
            if await self._no_room(probe_id, party, start, end, booking.id, zone):
                return False
            async with conn.transaction():
                booking = await require_booking(conn, booking_id, for_update=True)
                booking = await reschedule_booking(
                    conn, booking, party_size=party, start_at=start, end_at=end
                )
                await back_to_pending(conn, booking, now, actor=ACTOR, why="modified")
                await self.queue.enqueue(conn, booking.id, "modification")
        return True

    async def _arrive(self, booking_id: UUID, arrival: Arrive) -> datetime | None:
        now = self.clock.now()
        async with self.pool.connection() as conn:
            booking = await get_booking(conn, booking_id)
        waiting = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.NO_SHOW)
        if booking is None or booking.status not in waiting:
            return None
        if now < booking.start_at:
            return booking.start_at  # early guests wait for their start
        grace = timedelta(minutes=self.rules.no_show_grace_minutes)
        on_time = now <= booking.start_at + grace
        try:
            async with self.pool.connection() as conn, conn.transaction():
                await seat_arrival(
                    conn,
                    self.floor,
                    self.rules,
                    booking_id,
                    now=now,
                    actor=ACTOR,
                    repack_budget_ms=self.budget,
                )
        except SeatingRefused:
            if on_time:
                self.tally.displaced.add(arrival.ref)
        return None

    async def _depart(self, booking_id: UUID) -> None:
        async with self.pool.connection() as conn, conn.transaction():
            booking = await require_booking(conn, booking_id)
            if booking.status is BookingStatus.SEATED:
                now = self.clock.now()
                await depart(conn, self.floor, booking_id, now=now)
                await requeue_waiting(
                    conn, self.floor.restaurant_id, now=now, queue=self.queue, actor=ACTOR
                )

    async def _table_out(self, event: TableOut) -> None:
        async with self.pool.connection() as conn, conn.transaction():
            await block_table(
                conn,
                self.floor,
                event.table,
                start=event.start,
                until=event.until,
                now=self.clock.now(),
                queue=self.queue,
                actor=ACTOR,
                reason="table_out",
            )
