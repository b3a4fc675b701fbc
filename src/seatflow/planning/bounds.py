"""A fast, certain "no": a necessary condition for re-packing, checked without a solver.

At any instant, the bookings alive then — the request among them — need pairwise-disjoint table
sets. A booking may only take tables of the combinations open to it (the minimal seating
combinations free of fixed occupants over its window, or the tables it holds now), so by Hall's
theorem every group of bookings alive together needs at least as many open tables, and open
seats, as the least its members need between them. We test the groups "the bookings whose open
tables all lie within booking i's", for each i, and all of them, at every instant the request's
window gains a booking. A violated group proves that no re-arrangement exists; a family that
holds proves nothing, and the exact search (``repack``) decides.

Pure integer work on bitmasks: a few milliseconds where CP-SAT may spend its whole budget
proving the same infeasibility.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import index_busy_mask
from seatflow.planning.index import bits_of, floor_index, minimal_candidates
from seatflow.planning.model import Occupant, PlanRequest

__all__ = ["cannot_fit"]


@dataclass(frozen=True, slots=True)
class _Need:
    """What one booking needs at the least, and the tables it could ever take."""

    start: datetime
    end: datetime
    open_tables: int  # union of the masks open to it
    tables: int  # fewest tables of any open option
    seats: int  # fewest seats of any open option


def cannot_fit(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    unplaced: Sequence[PlanRequest] = (),
) -> bool:
    """True only when no re-packing of the movable occupants can seat the request — together
    with `unplaced` (accepted bookings with no tables yet), when given."""
    index = floor_index(floor)
    capacity = [index.capacity[key] for key in index.keys]
    options: dict[int, _Options] = {}

    def need(party: int, start: datetime, end: datetime, current: int | None) -> _Need | None:
        if party not in options:
            options[party] = _party_options(floor, party)
        blocked = index_busy_mask(index, start, end, fixed) if fixed else 0
        return _need(options[party], blocked, current, capacity, start, end)

    others = [o for o in occupants if o.booking_id != request.booking_id]
    fixed = [o for o in others if not o.movable]
    own = need(request.party_size, request.start, request.end, None)
    if own is None:
        return True
    alive = [
        need(o.party_size, o.start, o.end, index.mask_of(o.tables))
        for o in others
        if o.movable and o.start < request.end and request.start < o.end
    ]
    movable = [n for n in alive if n is not None]
    for booking in unplaced:
        if booking.start < request.end and request.start < booking.end:
            rival = need(booking.party_size, booking.start, booking.end, None)
            if rival is None:  # nothing is open to it: no seating of them all exists
                return True
            movable.append(rival)
    instants = {request.start} | {n.start for n in movable if request.start < n.start}
    return any(
        _violated([own, *(n for n in movable if n.start <= t < n.end)], capacity)
        for t in sorted(instants)
    )


@dataclass(frozen=True, slots=True)
class _Options:
    """A party's minimal seating combinations as (mask, tables, seats), and their summary."""

    masks: tuple[tuple[int, int, int], ...]
    union: int
    tables: int
    seats: int


@lru_cache(maxsize=4096)
def _party_options(floor: FloorPlan, party: int) -> _Options:
    capacity = floor_index(floor).capacity
    masks = tuple(
        (c.mask, len(c.bits), sum(capacity[k] for k in c.combo.tables))
        for c in minimal_candidates(floor, party)
    )
    return _summary(masks)


def _summary(masks: Sequence[tuple[int, int, int]]) -> _Options:
    union = 0
    for mask, _, _ in masks:
        union |= mask
    return _Options(
        masks=tuple(masks),
        union=union,
        tables=min((n for _, n, _ in masks), default=0),
        seats=min((s for _, _, s in masks), default=0),
    )


def _need(
    options: _Options,
    blocked: int,
    current: int | None,
    capacity: list[int],
    start: datetime,
    end: datetime,
) -> _Need | None:
    """The booking's least need over its open options (an occupant's current tables among them,
    even when none of them is on the floor any more, as ``repack`` allows); None when nothing is
    open to it."""
    if blocked:
        options = _summary([m for m in options.masks if not m[0] & blocked])
    union, tables, seats = options.union, options.tables, options.seats
    if current is not None:
        here = (current.bit_count(), _seats(current, capacity))
        if options.masks:
            union, tables, seats = union | current, min(tables, here[0]), min(seats, here[1])
        else:
            union, tables, seats = current, here[0], here[1]
    elif not options.masks:
        return None
    return _Need(start=start, end=end, open_tables=union, tables=tables, seats=seats)


def _violated(group: Sequence[_Need], capacity: list[int]) -> bool:
    """Hall's condition fails for some tested subgroup of bookings alive together."""
    union = 0
    for need in group:
        union |= need.open_tables
    for scope in {*(n.open_tables for n in group), union}:
        inside = [n for n in group if not n.open_tables & ~scope]
        if sum(n.tables for n in inside) > scope.bit_count():
            return True
        if sum(n.seats for n in inside) > _seats(scope, capacity):
            return True
    return False


def _seats(mask: int, capacity: list[int]) -> int:
    return sum(capacity[b] for b in bits_of(mask))
