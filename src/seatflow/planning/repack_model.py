"""The re-pack's CP-SAT model: its bookings, what each may take, and the constraints — built
against a deadline.

One boolean per (booking, combination it may take); each booking takes exactly one; on every
table, the bookings whose windows contain a given start time take it at most once (for
intervals, pairwise overlap means a shared start point, so these cliques are exact). Fixed
occupants just remove combinations from the domains. The objective moves as few bookings as
possible.

On a large floor building the model alone can outlast the budget, so every loop here checks the
clock and raises `OutOfTime`; and only the bookings that can interact with the requests are
kept (`connected`): a booking whose open tables never meet theirs at an overlapping time stays
where it is in every optimal answer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ortools.sat.python import cp_model

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import index_busy_mask
from seatflow.planning.index import Candidate, FloorIndex, bits_of, floor_index, minimal_candidates
from seatflow.planning.model import Occupant, PlanRequest
from seatflow.planning.occupancy_index import OccupancyIndex

__all__ = ["Item", "OutOfTime", "build_model", "connected", "items_for"]

#: One moved booking costs more than any difference in the request's wasted seats.
_MOVE_WEIGHT = 1000
#: Up to this many fixed occupants a scan per booking is cheaper than building an index.
_SCAN_AT_MOST = 64

#: A table set open to a booking: its bitmask and the bit positions in it.
Option = tuple[int, tuple[int, ...]]
Choices = list[list[tuple[int, cp_model.IntVar]]]


class OutOfTime(Exception):
    """The deadline passed while the model was being built."""


def check(deadline: float | None) -> None:
    """Raise `OutOfTime` once `time.monotonic()` is past the deadline."""
    if deadline is not None and time.monotonic() > deadline:
        raise OutOfTime


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """A booking in the search: a request (``occupant`` None) or a movable occupant."""

    party_size: int
    start: datetime
    end: datetime
    options: tuple[Option, ...]  # the table sets it may take
    occupant: Occupant | None = None
    current: int = 0  # mask it holds now (movable occupants)


def items_for(
    floor: FloorPlan,
    requests: Sequence[PlanRequest],
    movable: Sequence[Occupant],
    fixed: Sequence[Occupant],
    *,
    deadline: float | None,
    allowed: int = -1,
) -> list[Item]:
    """The requests first (their options within the `allowed` tables), then each movable
    occupant, with the combinations open to each."""
    index = floor_index(floor)
    by_party: dict[int, tuple[Candidate, ...]] = {}
    occupancy = OccupancyIndex(index, fixed) if len(fixed) > _SCAN_AT_MOST else None

    def options(party: int, start: datetime, end: datetime, within: int) -> tuple[Option, ...]:
        check(deadline)
        if party not in by_party:
            by_party[party] = minimal_candidates(floor, party)
        if occupancy is not None:
            blocked = occupancy.busy(start, end) | ~within
        else:
            blocked = index_busy_mask(index, start, end, fixed) | ~within
        return tuple((c.mask, c.bits) for c in by_party[party] if not c.mask & blocked)

    items = [
        Item(
            party_size=r.party_size,
            start=r.start,
            end=r.end,
            options=options(r.party_size, r.start, r.end, allowed),
        )
        for r in requests
    ]
    for occupant in movable:
        current = index.mask_of(occupant.tables)
        open_sets = options(occupant.party_size, occupant.start, occupant.end, -1)
        if all(mask != current for mask, _ in open_sets):
            open_sets += ((current, bits_of(current)),)  # staying put is always allowed
        items.append(
            Item(
                party_size=occupant.party_size,
                start=occupant.start,
                end=occupant.end,
                options=open_sets,
                occupant=occupant,
                current=current,
            )
        )
    return items


def connected(items: Sequence[Item], requests: int, deadline: float | None) -> list[Item]:
    """The first `requests` items and those linked to them through chains of bookings that
    overlap in time and share an open table; the others keep their tables in every optimal
    seating (staying put costs nothing and clashes with nobody in the chain), so the model can
    leave them out. Order is kept."""
    reach = [0] * len(items)
    for i, item in enumerate(items):
        for mask, _ in item.options:
            reach[i] |= mask
    inside = set(range(requests))
    frontier = list(inside)
    while frontier:
        check(deadline)
        i = frontier.pop()
        a = items[i]
        for j, b in enumerate(items):
            if j in inside or not reach[i] & reach[j]:
                continue
            if a.start < b.end and b.start < a.end:
                inside.add(j)
                frontier.append(j)
    return [item for k, item in enumerate(items) if k in inside]


def build_model(
    index: FloorIndex, items: Sequence[Item], deadline: float | None
) -> tuple[cp_model.CpModel, Choices]:
    """Variables, exactly-one per booking, per-table cliques, objective and hints."""
    model = cp_model.CpModel()
    choices: Choices = []
    #: Per table bit: for each booking that may take the table, its variables that do.
    users: list[dict[int, list[cp_model.IntVar]]] = [{} for _ in index.keys]
    for i, item in enumerate(items):
        check(deadline)
        item_vars = []
        for mask, bits in item.options:
            var = model.new_bool_var("")
            item_vars.append((mask, var))
            for bit in bits:
                users[bit].setdefault(i, []).append(var)
        model.add_exactly_one(var for _, var in item_vars)
        choices.append(item_vars)
    for table_users in users:
        check(deadline)
        for clique in _maximal_cliques(items, table_users):
            model.add_at_most_one(var for i in clique for var in table_users[i])
    _add_objective(model, index, items, choices)
    return model, choices


def _maximal_cliques(
    items: Sequence[Item], users: dict[int, list[cp_model.IntVar]]
) -> list[list[int]]:
    """Bookings alive on a table at each start time, keeping only sets not inside the next."""
    if len(users) < 2:
        return []
    times = sorted({items[i].start for i in users})
    active = [[i for i in users if items[i].start <= t < items[i].end] for t in times]
    return [
        group
        for k, group in enumerate(active)
        if len(group) > 1 and (k + 1 == len(active) or not set(group) <= set(active[k + 1]))
    ]


def _add_objective(
    model: cp_model.CpModel,
    index: FloorIndex,
    items: Sequence[Item],
    choices: Choices,
) -> None:
    """Fewest moved bookings, then the fewest empty seats for the requests; hint: nobody moves.

    A booking moves exactly when its "stay" variable is false, so rewarding stays is the same
    as charging moves, with one term per booking.
    """
    variables: list[cp_model.IntVar] = []
    weights: list[int] = []
    for item, item_vars in zip(items, choices, strict=True):
        for mask, var in item_vars:
            if item.occupant is None:
                variables.append(var)
                seats = sum(index.capacity[index.keys[b]] for b in bits_of(mask))
                weights.append(seats - item.party_size)
            elif mask == item.current:
                model.add_hint(var, True)
                variables.append(var)
                weights.append(-_MOVE_WEIGHT)
    model.minimize(cp_model.LinearExpr.weighted_sum(variables, weights))
