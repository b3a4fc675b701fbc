"""Can a request be promised? Only if it and every booking already accepted but not yet placed can
all be seated together, around the occupants the floor already has.

Acceptance is a promise the pipeline must keep later, so this asks more than `plan_v3` does: the
unplaced bookings hold no tables yet, but each has a claim on the floor. V3 may re-pack, so a
joint seating of request + unplaced, moving movable occupants, is enough: first cheap greedy
passes (each booking in start order, then in acceptance order, on the tables still free — a
seating found is a proof), then `planning.bounds` (a certain no), then — when no other unplaced
booking competes — a short shuffle (a certain yes), then an exact joint CP-SAT re-pack within the
budget (a search over many starts stops before the solver). A proven infeasibility is
``no_capacity``; a budget spent without an answer is ``repack_timeout`` — both refuse, since
neither is a promise.

The legacy worker never re-packs and places bookings one at a time on free tables, so for it the
question is whether its own planner, replayed over the unplaced bookings in creation order and
then the request, seats the request. (That matches the legacy worker when it drains the queue in
creation order; workers racing through the queue in another order may choose other tables — the
legacy route's promise is only as good as that order.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import index_busy_mask
from seatflow.planning.bounds import cannot_fit
from seatflow.planning.index import candidates_for, floor_index, minimal_candidates
from seatflow.planning.legacy import plan_legacy
from seatflow.planning.model import (
    NO_CAPACITY,
    PARTY_TOO_LARGE,
    Occupant,
    Plan,
    PlanFailure,
    PlanRequest,
)
from seatflow.planning.occupancy_index import OccupancyIndex
from seatflow.planning.repack import overlap_component, seat_jointly
from seatflow.planning.shuffle import fits_by_shuffle

__all__ = ["GREEDY", "JOINT", "SHUFFLE", "reserve_legacy", "reserve_v3"]

GREEDY = "reservation_greedy"
SHUFFLE = "reservation_shuffle"
JOINT = "reservation_joint"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Seating:
    """Tables for each booking, in the order the bookings were given."""

    tables: tuple[tuple[str, ...], ...]


def reserve_v3(
    floor: FloorPlan,
    request: PlanRequest,
    unplaced: Sequence[PlanRequest],
    occupants: Sequence[Occupant],
    *,
    budget_ms: int,
    search: bool = True,
    deadline: float | None = None,
    occupancy: OccupancyIndex | None = None,
) -> Plan | PlanFailure:
    """Tables the request could take in a seating of it and all `unplaced` together.

    Without `search` only the greedy passes on free tables decide (a no may be wrong); with it
    and no budget, everything but the solver; `deadline` bounds the shuffle. `occupancy`, an
    index over `occupants` (which then must not hold the request), serves the many starts of
    one snapshot without scanning every occupant for each.

    Only the unplaced bookings connected to the request by chains of overlaps (through other
    unplaced bookings and movable occupants) can compete with it; the others are left out, so
    a part of the evening already oversold elsewhere does not refuse this one.
    """
    if not candidates_for(floor, request.party_size):
        return PlanFailure(reason=PARTY_TOO_LARGE)
    others = (
        occupants
        if occupancy is not None
        else [o for o in occupants if o.booking_id != request.booking_id]
    )
    rivals = _competitors(request, unplaced, others)
    wanted = [*rivals, request]
    by_start = sorted(range(len(wanted)), key=lambda k: (wanted[k].start, wanted[k].end, k))
    greedy = _greedy(floor, wanted, others, by_start, occupancy)
    if greedy is None and rivals:  # alone, the request has one order only
        greedy = _greedy(floor, wanted, others, range(len(wanted)), occupancy)
    if greedy is not None:
        return Plan(tables=greedy.tables[-1], strategy=GREEDY, score=0.0)
    if not search or cannot_fit(floor, request, others, unplaced=rivals):
        return PlanFailure(reason=NO_CAPACITY)
    if not rivals and fits_by_shuffle(floor, request, others, deadline=deadline):
        return Plan(tables=(), strategy=SHUFFLE, score=0.0)  # a seating exists; the worker picks
    if budget_ms <= 0:
        return PlanFailure(reason=NO_CAPACITY)
    joint = seat_jointly(floor, wanted, others, budget_ms=budget_ms)
    if isinstance(joint, PlanFailure):
        return joint
    return Plan(tables=joint[-1], strategy=JOINT, score=0.0)


def reserve_legacy(
    floor: FloorPlan,
    request: PlanRequest,
    unplaced: Sequence[PlanRequest],
    occupants: Sequence[Occupant],
) -> Plan | PlanFailure:
    """The legacy planner's answer for the request after it has placed `unplaced` (creation
    order) one by one; one it cannot place takes nothing (it will go to review)."""
    placed = [o for o in occupants if o.booking_id != request.booking_id]
    for booking in unplaced:
        result = plan_legacy(floor, booking, placed)
        if isinstance(result, Plan):
            placed.append(booking.seated(result.tables))
    return plan_legacy(floor, request, placed)


def _competitors(
    request: PlanRequest, unplaced: Sequence[PlanRequest], others: Sequence[Occupant]
) -> list[PlanRequest]:
    """The unplaced bookings (not the request itself) in the request's overlap component."""
    rivals = [u for u in unplaced if u.booking_id != request.booking_id]
    if not rivals:
        return []
    windows: list[PlanRequest | Occupant] = [*rivals, *(o for o in others if o.movable)]
    connected = overlap_component(request.start, request.end, windows)
    ids = {id(w) for w in connected}
    return [u for u in rivals if id(u) in ids]


def _greedy(
    floor: FloorPlan,
    wanted: Sequence[PlanRequest],
    occupants: Sequence[Occupant],
    order: Iterable[int],
    occupancy: OccupancyIndex | None = None,
) -> _Seating | None:
    """Each booking, in `order` (start order, else as given: acceptance order, the request
    last), on the smallest free minimal combination; None when one finds nothing (which proves
    nothing: the joint search decides then)."""
    index = floor_index(floor)
    placed = [] if occupancy is not None else list(occupants)
    tables: dict[int, tuple[str, ...]] = {}
    for k in order:
        booking = wanted[k]
        busy = index_busy_mask(index, booking.start, booking.end, placed)
        if occupancy is not None:
            busy |= occupancy.busy(booking.start, booking.end)
        fits = [c for c in minimal_candidates(floor, booking.party_size) if not c.mask & busy]
        if not fits:
            return None
        best = min(fits, key=lambda c: (c.combo.capacity, len(c.bits), c.combo.tables))
        tables[k] = best.combo.tables
        placed.append(booking.seated(best.combo.tables))
    return _Seating(tables=tuple(tables[k] for k in range(len(wanted))))
