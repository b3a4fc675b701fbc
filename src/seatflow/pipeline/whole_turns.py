"""The sweep that gives late parties the whole turn the door could not.

A party seated late keeps its tables only until its booked end when, at the door, no re-pack
could give it its whole turn (its turn runs from the moment it sits). At every sweep, while it is
still seated and before that end, the bookings in the way are tried elsewhere again
(`planning.whole_turn`): when every one of them can be placed, they move and the party's tables
are its own until its turn ends — in one transaction, recorded as moves by `sweep:whole_turn`.
When not, nothing changes, and the overstay sweep takes over at its booked end as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import structlog
from psycopg_pool import AsyncConnectionPool

from seatflow.domain.service import ServiceRules
from seatflow.domain.states import BookingStatus
from seatflow.errors import TablesTaken, VersionConflict
from seatflow.pipeline.flags import PipelineFlags, Route
from seatflow.pipeline.snapshot import plan_request
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Move, Occupant, Plan, PlanFailure, PlanRequest
from seatflow.planning.whole_turn import clear_way
from seatflow.store.bookings import require_booking
from seatflow.store.checks import store_errors
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor, load_floor_by_id
from seatflow.store.holds import TableMove, assert_floor_current, move_bookings
from seatflow.store.live_service import (
    SeatedStay,
    attribute,
    extend_stay,
    seated_in_turn,
    waiting_for_tables,
)
from seatflow.store.occupancy import load_occupants
from seatflow.store.reservations import bump
from seatflow.store.service_rules import load_rules

__all__ = ["WHOLE_TURN", "TurnGiven", "give_whole_turns"]

#: The reason recorded with the moves, and the actor's suffix (`sweep:whole_turn`).
WHOLE_TURN = "whole_turn"

#: A party kept this much short of its turn or more is worth moving others for: one seated a
#: few minutes late overlaps the next booking by those minutes, and the overstay sweep moves it
#: only if the party is really still there. Measured on the shared days (V3, the eight days):
#: 0 → 399 moves, 5 → 381, 10 → 371, with the same displaced covers (docs/benchmarks.md).
MIN_SHORTFALL = timedelta(minutes=10)

#: How far ahead bookings still waiting for tables are looked at (a service's length).
_WAITING_REACH = timedelta(hours=8)

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnGiven:
    """A seated party now holds its tables to the end of its turn; whom that moved."""

    booking_id: UUID
    restaurant_id: UUID
    until: datetime
    moved: tuple[Move, ...]


async def give_whole_turns(
    pool: AsyncConnectionPool[Connection],
    *,
    now: datetime,
    repack_budget_ms: int,
    restaurant_id: UUID | None = None,
    flags: PipelineFlags | None = None,
) -> list[TurnGiven]:
    """Every seated party kept short of its turn gets it when the bookings in its way can all
    be placed elsewhere now; returns those that did. With `flags`, only in restaurants they
    route to V3: moving bookings early is a re-pack, which the legacy path never does."""
    async with pool.connection() as conn:
        stays = await seated_in_turn(conn, now, restaurant_id)
    given = []
    venues: dict[UUID, _Venue | None] = {}  # read once per restaurant and sweep
    for stay in stays:
        async with pool.connection() as conn:
            if stay.restaurant_id not in venues:
                venues[stay.restaurant_id] = await _venue(conn, stay.restaurant_id, flags)
            venue = venues[stay.restaurant_id]
            if venue is None:
                continue
            found = await _find_room(conn, venue, stay, now, repack_budget_ms)
        if found is None:
            continue
        try:
            async with pool.connection() as conn, conn.transaction():
                done = await _give(conn, found, now)
        except (TablesTaken, VersionConflict):  # the floor changed since it was read: next sweep
            log.info("whole_turn_not_given", booking_id=str(stay.booking_id))
            continue
        if done is not None:
            given.append(done)
    return given


@dataclass(frozen=True, slots=True, kw_only=True)
class _Room:
    """A whole turn found on a snapshot: the floor planned on, the new end, the moves."""

    stay: SeatedStay
    floor: StoredFloor
    until: datetime
    moves: tuple[Move, ...]


@dataclass(frozen=True, slots=True)
class _Venue:
    """A restaurant's floor and service rules, as this sweep read them."""

    floor: StoredFloor
    rules: ServiceRules


async def _venue(
    conn: Connection, restaurant_id: UUID, flags: PipelineFlags | None
) -> _Venue | None:
    """The restaurant's floor and rules; None where the flags do not route it to V3."""
    floor = await load_floor_by_id(conn, restaurant_id)
    if flags is not None and flags.route(floor.plan.slug, restaurant_id) is not Route.V3:
        return None
    return _Venue(floor, await load_rules(conn, restaurant_id))


async def _find_room(
    conn: Connection, venue: _Venue, stay: SeatedStay, now: datetime, repack_budget_ms: int
) -> _Room | None:
    """Plan on a snapshot, outside any transaction (the search may take the re-pack budget,
    in a thread); None when the party has its turn already or the way cannot be cleared."""
    floor, rules = venue.floor, venue.rules
    policy = floor.plan.policy
    turn = rules.turn_minutes(policy, stay.start_at, stay.party_size, stay.duration_minutes)
    until = stay.seated_from + timedelta(minutes=turn + policy.buffer_minutes)
    if until - stay.occupied_until < MIN_SHORTFALL:
        return None  # its whole turn, or a few minutes short: the overstay sweep's to handle
    occupants = await load_occupants(conn, floor, start=now, end=until, now=now)
    waiting = await _waiting(conn, stay.restaurant_id, now)
    booking_id = str(stay.booking_id)
    grace = timedelta(minutes=rules.no_show_grace_minutes)
    moves = await asyncio.to_thread(
        _moves, floor, booking_id, until, occupants, waiting, grace, repack_budget_ms
    )
    return None if moves is None else _Room(stay=stay, floor=floor, until=until, moves=moves)


async def _give(conn: Connection, room: _Room, now: datetime) -> TurnGiven | None:
    """Write what was planned, with the checks the statements make: each moved booking still
    open and on the tables planned from, the floor's version, the exclusion constraint."""
    stay = room.stay
    booking = await require_booking(conn, stay.booking_id, for_update=True)
    if booking.status is not BookingStatus.SEATED:
        return None  # left meanwhile
    await attribute(conn, actor=f"sweep:{WHOLE_TURN}", reason=WHOLE_TURN, now=now)
    table_moves = [
        TableMove(booking_id=UUID(m.booking_id), from_tables=m.from_tables, to_tables=m.to_tables)
        for m in room.moves
    ]
    async with store_errors():
        await assert_floor_current(conn, room.floor)
        await move_bookings(conn, room.floor, table_moves, now)
    await extend_stay(conn, stay.booking_id, until=room.until)
    if room.moves:
        await bump(conn, stay.restaurant_id)
    log.info(
        "whole_turn_given",
        booking_id=str(stay.booking_id),
        until=room.until.isoformat(),
        moved=len(room.moves),
    )
    return TurnGiven(
        booking_id=stay.booking_id,
        restaurant_id=stay.restaurant_id,
        until=room.until,
        moved=room.moves,
    )


async def _waiting(conn: Connection, restaurant_id: UUID, now: datetime) -> list[PlanRequest]:
    """Accepted reservations without tables whose guests may still come: a whole turn must not
    take what they need."""
    ids = await waiting_for_tables(conn, restaurant_id, now=now, until=now + _WAITING_REACH)
    bookings = [await require_booking(conn, booking_id) for booking_id in ids]
    return [plan_request(b) for b in bookings]


def _moves(
    floor: StoredFloor,
    booking_id: str,
    until: datetime,
    occupants: Sequence[Occupant],
    waiting: Sequence[PlanRequest],
    grace: timedelta,
    repack_budget_ms: int,
) -> tuple[Move, ...] | None:
    """The moves that clear the party's tables until `until` (`planning.whole_turn`)."""
    party = next((o for o in occupants if o.booking_id == booking_id), None)
    if party is None:
        return None

    def planner(
        plan: object, request: PlanRequest, around: Sequence[Occupant]
    ) -> Plan | PlanFailure:
        return plan_v3(floor.plan, request, around, repack_budget_ms=repack_budget_ms)

    return clear_way(floor.plan, party, until, occupants, planner, waiting, grace)
