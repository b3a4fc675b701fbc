"""Guests at the door: an arriving reservation, or a walk-in, seated at once or told when.

Both run in the caller's transaction, on the booking's row lock, through the same store checks as
any assignment (floor version, exclusion constraint, block trigger), and record who moved what.
An arrival keeps its tables when they are free for its whole turn from now; else it takes other
free tables or re-packs the bookings not yet seated (`planning.seating`). Seated parties and pinned
bookings are never moved. A walk-in is checked against the service hours (not pacing) first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import structlog

from seatflow.domain.floor import FloorPlan
from seatflow.domain.service import ServiceRules
from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.errors import BookingClosed, SeatingRefused
from seatflow.pipeline.handback import path_to_pending
from seatflow.planning.deferral import DEFER_STEP, Deferred, seat_deferring
from seatflow.planning.model import Move, Occupant, Plan, PlanFailure, PlanRequest
from seatflow.planning.seating import (
    KEPT,
    allowing_lateness,
    earliest_free,
    own_window,
    seat_now,
)
from seatflow.store.bookings import (
    BookingRecord,
    NewBooking,
    Transition,
    advance,
    insert_booking,
    release_allocations,
    require_booking,
    table_keys,
)
from seatflow.store.checks import store_errors
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.holds import TableMove, move_bookings, release_holds
from seatflow.store.live_service import attribute, change_status, seat_on
from seatflow.store.occupancy import load_occupants
from seatflow.store.reservations import bump

__all__ = ["NO_TABLE_FREE", "Seated", "seat_arrival", "seat_walk_in"]

log = structlog.get_logger(__name__)

S = AssignmentState
NO_TABLE_FREE = "no_table_free"

#: Statuses a reservation can arrive from: placed or not, or released at the grace deadline.
ARRIVING = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.NO_SHOW)


@dataclass(frozen=True, slots=True, kw_only=True)
class Seated:
    """Where the party sits, from when to when (buffer included), and whom it moved."""

    booking: BookingRecord
    tables: tuple[str, ...]
    start: datetime
    end: datetime
    kept: bool
    moved: tuple[Move, ...]
    transitions: tuple[Transition, ...]
    #: Moved parties not here yet whose new tables free later than they booked (within their
    #: grace): booking id → when their tables are theirs from.
    delayed: dict[str, datetime] = field(default_factory=dict)


async def seat_arrival(
    conn: Connection,
    floor: StoredFloor,
    rules: ServiceRules,
    booking_id: UUID,
    *,
    now: datetime,
    actor: str,
    repack_budget_ms: int,
) -> Seated:
    """Seat an arriving reservation now (SeatingRefused when nothing can be freed for it).

    Nobody booked is pushed out for them: when no arrangement of the bookings not yet seated
    makes room, the guests are told when a fitting table frees (measured: displacing later
    bookings instead cascaded into more guests standing at the door)."""
    booking = await require_booking(conn, booking_id, for_update=True)
    if booking.status not in ARRIVING:
        raise BookingClosed(f"booking {booking.id} is {booking.status}")
    grace = timedelta(minutes=rules.no_show_grace_minutes)
    on_time = booking.status is not BookingStatus.NO_SHOW and now <= booking.start_at + grace
    # Guests on time for a booking made in hours are seated even past the last seating: the
    # restaurant promised that start. Late guests are walk-ins, and walk-ins sit in hours.
    _check_hours(rules, booking.start_at if on_time else now)
    current = tuple(await table_keys(conn, booking.id))
    request = _request(floor, rules, booking, now)
    occupants = await load_occupants(conn, floor, start=request.start, end=request.end, now=now)
    door = _Door(floor, occupants, current, booking.end_at, now, repack_budget_ms)
    try:
        request, plan, windows = _door_plan(door, request, grace if on_time else None)
    except SeatingRefused as refused:
        _log_refused(request, refused)
        raise
    transitions = await _confirmed(conn, booking, actor)
    return await _seat(
        conn, floor, booking, plan, request, now, actor, current, transitions, windows
    )


@dataclass(frozen=True, slots=True)
class _Door:
    """What the door plans an arrival with: the floor as it stands now, and its own tables."""

    floor: StoredFloor
    occupants: list[Occupant]
    current: tuple[str, ...]
    booked_end: datetime
    now: datetime
    repack_budget_ms: int


def _door_plan(
    door: _Door, request: PlanRequest, grace: timedelta | None
) -> tuple[PlanRequest, Plan, dict[str, tuple[datetime, datetime]]]:
    """The arrival's plan on the booked times; else, for guests on time (`grace` given), one
    that delays absent parties within their grace (their new windows returned with it)."""
    try:
        request, plan = _arrival_plan(door, request)
        return request, plan, {}
    except SeatingRefused:
        if grace is None:
            raise  # late guests are walk-ins: they never push a booked party back
        deferred = _deferring(door, request, grace)
        if deferred is None:
            raise
        return request, deferred.plan, deferred.windows


async def seat_walk_in(
    conn: Connection,
    floor: StoredFloor,
    rules: ServiceRules,
    *,
    party_size: int,
    now: datetime,
    actor: str,
    repack_budget_ms: int,
    ref: str | None = None,
    zone_preference: str | None = None,
    simulated: bool = False,
) -> Seated:
    """Seat a party at the door now, or SeatingRefused (outside hours, or no table frees)."""
    _check_hours(rules, now)
    policy = floor.plan.policy
    turn = rules.turn_minutes(policy, now, party_size)
    end = now + timedelta(minutes=turn + policy.buffer_minutes)
    probe = PlanRequest(
        booking_id=f"walk-in:{ref or 'new'}",
        party_size=party_size,
        start=now,
        end=end,
        zone_preference=zone_preference,
    )
    lateness = timedelta(minutes=rules.no_show_grace_minutes)
    plan = await _walk_in_plan(conn, floor, probe, lateness, repack_budget_ms)
    booking = await insert_booking(
        conn,
        NewBooking(
            restaurant_id=floor.restaurant_id,
            ref=ref,
            party_size=party_size,
            start_at=now,
            end_at=end,
            duration_minutes=turn,
            zone_preference=zone_preference,
            requested_at=now,
            simulated=simulated,
            source="walk_in",
        ),
    )
    transitions = await _confirmed(conn, booking, actor)
    request = PlanRequest(booking_id=str(booking.id), party_size=party_size, start=now, end=end)
    return await _seat(conn, floor, booking, plan, request, now, actor, (), transitions)


async def _walk_in_plan(
    conn: Connection,
    floor: StoredFloor,
    probe: PlanRequest,
    lateness: timedelta,
    repack_budget_ms: int,
) -> Plan:
    """Tables for a walk-in against the floor with room kept for booked guests who may still
    come up to the grace period (`lateness`) late; SeatingRefused (logged) when none."""
    now = probe.start
    occupants = await load_occupants(conn, floor, start=now, end=probe.end, now=now)
    try:
        return _plan(floor, probe, allowing_lateness(occupants, lateness), now, repack_budget_ms)
    except SeatingRefused as refused:
        _log_refused(probe, refused)
        raise


def _check_hours(rules: ServiceRules, now: datetime) -> None:
    """Nobody is seated outside a service period (or on a closed day)."""
    refusal = rules.refusal(now)
    if refusal is not None:
        raise SeatingRefused(refusal, f"nobody is seated now: {refusal.replace('_', ' ')}")


def _request(
    floor: StoredFloor, rules: ServiceRules, booking: BookingRecord, now: datetime
) -> PlanRequest:
    """The party's window from now: its turn runs from the moment it sits."""
    policy = floor.plan.policy
    turn = rules.turn_minutes(
        policy, booking.start_at, booking.party_size, booking.duration_minutes
    )
    return PlanRequest(
        booking_id=str(booking.id),
        party_size=booking.party_size,
        start=now,
        end=now + timedelta(minutes=turn + policy.buffer_minutes),
        zone_preference=booking.zone_preference,
    )


def _arrival_plan(door: _Door, request: PlanRequest) -> tuple[PlanRequest, Plan]:
    """Own tables for the whole turn; else the whole turn by a re-pack; else own tables until the
    booked end; else as anyone at the door.

    Giving a late party its whole turn now, while later bookings can still move, beats finding
    it there at its booked end, when the overstay sweep must move the next booking on a fuller
    floor (measured on the shared days: docs/benchmarks.md, "Service days")."""
    floor, occupants, current = door.floor, door.occupants, door.current
    budget = door.repack_budget_ms
    kept = own_window(floor.plan, request, occupants, current=current, booked_end=door.booked_end)
    if kept is request:
        return kept, Plan(tables=current, strategy=KEPT, score=0.0)
    if kept is not None:
        whole = seat_now(floor.plan, request, occupants, repack_budget_ms=budget)
        if isinstance(whole, Plan):
            return request, whole
        return kept, Plan(tables=current, strategy=KEPT, score=0.0)
    return request, _plan(floor, request, occupants, door.now, budget)


def _deferring(door: _Door, request: PlanRequest, grace: timedelta) -> Deferred | None:
    """Room for guests at the door by delaying absent parties within their grace (a bet that
    they come a few minutes late, taken only for guests who would otherwise stand there). The
    tries share one re-pack budget, so the guests wait at most about twice that for an answer."""
    budget_ms = max(1, door.repack_budget_ms // max(1, grace // DEFER_STEP))

    def planner(
        plan: FloorPlan, req: PlanRequest, others: Sequence[Occupant]
    ) -> Plan | PlanFailure:
        return seat_now(plan, req, others, repack_budget_ms=budget_ms)

    deferred = seat_deferring(
        door.floor.plan, request, door.occupants, now=door.now, grace=grace, planner=planner
    )
    if deferred is not None:
        log.info(
            "seated_before_absent",
            booking=request.booking_id,
            party=request.party_size,
            delayed={k: v[0].isoformat() for k, v in deferred.windows.items()},
        )
    return deferred


def _log_refused(request: PlanRequest, refused: SeatingRefused) -> None:
    log.info(
        "seating_refused",
        booking=request.booking_id,
        party=request.party_size,
        why=refused.reason,
        earliest=refused.earliest.isoformat() if refused.earliest else None,
    )


def _plan(
    floor: StoredFloor,
    request: PlanRequest,
    occupants: list[Occupant],
    now: datetime,
    repack_budget_ms: int,
) -> Plan:
    """Tables for the request (free ones, or a re-pack of the bookings not yet seated);
    SeatingRefused with the earliest time a fitting table frees otherwise."""
    plan = seat_now(floor.plan, request, occupants, repack_budget_ms=repack_budget_ms)
    if isinstance(plan, Plan):
        return plan
    until = now + timedelta(hours=6)
    earliest = earliest_free(floor.plan, request, occupants, until=until)
    raise SeatingRefused(
        NO_TABLE_FREE, f"no table is free now for a party of {request.party_size}", earliest
    )


async def _confirmed(
    conn: Connection, booking: BookingRecord, actor: str
) -> tuple[Transition, ...]:
    """Walk the assignment state to `confirmed` (a booking seated at the door is placed)."""
    if booking.assignment_state is S.CONFIRMED:
        return ()
    path: tuple[AssignmentState, ...] = (S.CONFIRMED,)
    if booking.assignment_state not in (S.ASSIGNMENT_PENDING, S.MANUAL_REVIEW):
        path = (*path_to_pending(booking.assignment_state), S.CONFIRMED)
    return await advance(conn, booking, path, actor=actor, reason="seated_at_door")


async def _seat(
    conn: Connection,
    floor: StoredFloor,
    booking: BookingRecord,
    plan: Plan,
    request: PlanRequest,
    now: datetime,
    actor: str,
    current: tuple[str, ...],
    transitions: tuple[Transition, ...],
    windows: dict[str, tuple[datetime, datetime]] | None = None,
) -> Seated:
    """Moves first, then the party on its tables from now, then the status — one transaction.
    `windows`: moved parties that hold their new tables from later than booked."""
    await attribute(conn, actor=actor, reason="arrival", now=now)
    windows = windows or {}
    moves = [
        TableMove(
            booking_id=UUID(m.booking_id),
            from_tables=m.from_tables,
            to_tables=m.to_tables,
            during=windows.get(m.booking_id),
        )
        for m in plan.moves
    ]
    async with store_errors():
        await release_allocations(conn, booking.id, now)  # its old tables may be a move's target
        await move_bookings(conn, floor, moves, now)
    await release_holds(conn, booking.id)
    await seat_on(conn, floor, booking.id, plan.tables, start=request.start, end=request.end)
    await change_status(
        conn, booking.id, BookingStatus.SEATED, expected=ARRIVING, at=now, reason="arrived"
    )
    await bump(conn, floor.restaurant_id)
    return Seated(
        booking=booking,
        tables=plan.tables,
        start=request.start,
        end=request.end,
        kept=tuple(sorted(current)) == tuple(sorted(plan.tables)),
        moved=plan.moves,
        transitions=transitions,
        delayed={booking_id: start for booking_id, (start, _) in windows.items()},
    )
