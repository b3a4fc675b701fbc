"""A quick, certain "yes": seat the request by moving the few bookings in its way.

For each combination open to the request, the movable bookings holding any of its tables during
the window are seated elsewhere in turn — on free tables, or by moving others in their way, depth
first, within a small total of moves; a booking moved once is pinned. If every one finds a
place, the request fits. Any arrangement found this way is valid,
so a yes is certain; a no proves nothing (a longer chain of moves may exist, which only the exact
search finds). Searches over many starts use it where the solver's model alone would cost more
than their whole budget.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from seatflow.domain.floor import FloorPlan
from seatflow.planning.index import FloorIndex, floor_index, minimal_candidates
from seatflow.planning.model import Occupant, PlanRequest

__all__ = ["MAX_MOVES", "fits_by_shuffle"]

#: At most this many bookings move (a moved booking is not moved twice).
MAX_MOVES = 2


def fits_by_shuffle(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    deadline: float | None = None,
) -> bool:
    """True when moving at most `MAX_MOVES` bookings makes room for the request. Past
    `deadline` (a `time.monotonic()` instant) it gives up and says no, which is always allowed:
    one crowded start must not spend a whole search's budget."""
    others = [o for o in occupants if o.booking_id != request.booking_id]
    return _seat(_Search(floor, deadline), request.seated(()), others, MAX_MOVES) is not None


class _Search:
    """The floor's lookups for one call, so each step is integer work."""

    def __init__(self, floor: FloorPlan, deadline: float | None) -> None:
        self.floor = floor
        self.deadline = deadline
        self.index = floor_index(floor)
        self.options: dict[int, list[int]] = {}

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def masks(self, party: int) -> list[int]:
        if party not in self.options:
            self.options[party] = [c.mask for c in minimal_candidates(self.floor, party)]
        return self.options[party]


#: The floor after a step: every booking where it now sits, and the moves still allowed.
_State = tuple[list[Occupant], int]


def _seat(search: _Search, who: Occupant, placed: list[Occupant], moves: int) -> _State | None:
    """`who` seated (and pinned) among `placed`, moving at most `moves` movable bookings in its
    way, depth first (a moved booking may move others in turn, within the same count)."""
    index = search.index
    window = [
        (o, index.mask_of(o.tables)) for o in placed if o.start < who.end and who.start < o.end
    ]
    busy = fixed = 0
    for o, held in window:
        busy |= held
        fixed |= 0 if o.movable else held
    options = search.masks(who.party_size)
    free = next((mask for mask in options if not mask & busy), None)
    if free is not None:
        return [*placed, _pinned(index, who, free)], moves
    for mask in options if moves else ():
        if search.expired():
            return None
        blockers = [o for o, held in window if held & mask]
        if mask & fixed or len(blockers) > moves:
            continue
        rest = [o for o in placed if all(o is not b for b in blockers)]
        state: _State | None = ([*rest, _pinned(index, who, mask)], moves - len(blockers))
        for blocker in blockers:
            state = _seat(search, blocker, *state) if state is not None else None
        if state is not None:
            return state
    return None


def _pinned(index: FloorIndex, who: Occupant, mask: int) -> Occupant:
    return replace(who, tables=index.tables_of(mask), movable=False)
