"""Room for a late party's whole turn, found after it sat down.

A party seated late whose whole turn no re-pack could give at the door keeps its tables only
until its booked end (`planning.seating.own_window`). Late parties mostly stay past that end, and
the next booking on their tables is then moved by the overstay sweep on a fuller floor, or its
guests stand at the door. So every sweep asks again: can the bookings in the way be placed
elsewhere now (a cancellation or an early departure may have made room), every one of them,
without taking what a booking still waiting for tables needs? If so they move at once, while
the floor can still absorb them; if not, nothing moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from seatflow.domain.floor import FloorPlan
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Move, Occupant, Plan, PlanFailure, PlanRequest

__all__ = ["Planner", "clear_way"]

#: Steps over a waiting party's grace at which free tables are looked for.
_GRACE_STEP = timedelta(minutes=5)

#: Places one request among occupants (re-packing the movable ones) — `plan_v3` in production.
Planner = Callable[[FloorPlan, PlanRequest, Sequence[Occupant]], Plan | PlanFailure]


def clear_way(
    floor: FloorPlan,
    party: Occupant,
    until: datetime,
    occupants: Sequence[Occupant],
    planner: Planner,
    waiting: Sequence[PlanRequest] = (),
    grace: timedelta = timedelta(0),
) -> tuple[Move, ...] | None:
    """The moves that let the seated `party` keep its tables until `until`, or None when some
    booking in the way cannot move (pinned, its guests due, a block) or be placed elsewhere.

    Bookings in the way are placed one at a time, earliest first, each against the floor the
    previous ones left (re-packing the movable ones). A booking still waiting for tables that
    free tables would seat within its grace before the moves must still be seated so after:
    moving bookings early must not take the tables a party already accepted will need
    (measured on the shared days: without this, day-02's party of three was displaced —
    docs/benchmarks.md, "Service days")."""
    others = [o for o in occupants if o.booking_id != party.booking_id]
    in_way = [o for o in others if _in_way(o, party, until)]
    if any(not o.movable for o in in_way):
        return None
    leaving = {o.booking_id for o in in_way}
    after = [o for o in others if o.booking_id not in leaving]
    after.append(replace(party, end=until))
    origin = {o.booking_id: o.tables for o in others if o.movable}
    placed: dict[str, tuple[str, ...]] = {}
    for booking in sorted(in_way, key=lambda o: (o.start, o.booking_id)):
        plan = planner(floor, _request(booking), after)
        if not isinstance(plan, Plan):
            return None
        after = _apply(after, plan.moves)
        after.append(replace(booking, tables=plan.tables))
        placed[booking.booking_id] = plan.tables
        placed.update({m.booking_id: m.to_tables for m in plan.moves})
    moves = tuple(
        Move(booking_id=b, from_tables=origin[b], to_tables=tables)
        for b, tables in sorted(placed.items())
        if frozenset(tables) != frozenset(origin[b])
    )
    before = [*others, party]
    for request in waiting:
        if _free_within(floor, request, before, grace) and not _free_within(
            floor, request, after, grace
        ):
            return None
    return moves


def _in_way(other: Occupant, party: Occupant, until: datetime) -> bool:
    """`other` holds one of the party's tables between its current end and `until`."""
    return (
        bool(set(other.tables) & set(party.tables))
        and other.start < until
        and other.end > party.end
    )


def _free_within(
    floor: FloorPlan, request: PlanRequest, occupants: Sequence[Occupant], grace: timedelta
) -> bool:
    """Free tables seat the waiting party at its start or, its guests coming late, at some
    moment of its grace (its turn then runs from when it sits)."""
    shift = timedelta(0)
    while shift <= grace:
        later = replace(request, start=request.start + shift, end=request.end + shift)
        if isinstance(plan_v3(floor, later, occupants, repack_budget_ms=0), Plan):
            return True
        shift += _GRACE_STEP
    return False


def _request(booking: Occupant) -> PlanRequest:
    return PlanRequest(
        booking_id=booking.booking_id,
        party_size=booking.party_size,
        start=booking.start,
        end=booking.end,
        zone_preference=booking.zone_preference,
    )


def _apply(occupants: list[Occupant], moves: Sequence[Move]) -> list[Occupant]:
    """The occupants with the plan's re-pack moves made."""
    to = {m.booking_id: m.to_tables for m in moves}
    return [replace(o, tables=to[o.booking_id]) if o.booking_id in to else o for o in occupants]
