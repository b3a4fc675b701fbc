"""Re-packing: give movable bookings other valid tables so a request that fits nowhere fits.

An exact search with OR-Tools CP-SAT. One boolean per (booking, combination it may take); each
booking takes exactly one; on every table, the bookings whose windows contain a given start time
take it at most once (for intervals, pairwise overlap means a shared start point, so these
cliques are exact). Fixed occupants just remove combinations from the domains. The objective
moves as few bookings as possible. A proven infeasibility is ``no_capacity``; a budget spent
without any answer is ``repack_timeout``.

The same model seats several requests at once (`seat_jointly`): acceptance asks whether a new
booking and every accepted-but-unplaced booking can all be seated together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol, TypeVar

from ortools.sat.python import cp_model

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import index_busy_mask
from seatflow.planning.context import build_context
from seatflow.planning.index import (
    Candidate,
    FloorIndex,
    bits_of,
    candidates_for,
    floor_index,
    minimal_candidates,
)
from seatflow.planning.model import (
    NO_CAPACITY,
    REPACK_TIMEOUT,
    Move,
    Occupant,
    Plan,
    PlanFailure,
    PlanRequest,
)
from seatflow.planning.scoring import plan_score

__all__ = ["REPACK_STRATEGY", "overlap_component", "relevant_occupants", "repack", "seat_jointly"]

REPACK_STRATEGY = "repack"
#: One moved booking costs more than any difference in the request's wasted seats.
_MOVE_WEIGHT = 1000
#: Fixed so the same snapshot gives the same answer (with one worker the search is sequential).
_SEED = 0


#: A table set open to a booking: its bitmask and the bit positions in it.
_Option = tuple[int, tuple[int, ...]]


class _Window(Protocol):
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...


_W = TypeVar("_W", bound=_Window)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Item:
    """A booking in the search: a request (``occupant`` None) or a movable occupant."""

    party_size: int
    start: datetime
    end: datetime
    options: tuple[_Option, ...]  # the table sets it may take
    occupant: Occupant | None = None
    current: int = 0  # mask it holds now (movable occupants)


def repack(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    budget_ms: int,
) -> Plan | PlanFailure:
    """Find tables for the request, moving as few movable occupants as possible."""
    others = [o for o in occupants if o.booking_id != request.booking_id]
    solved = _solve(floor, [request], others, budget_ms)
    if isinstance(solved, PlanFailure):
        return solved
    items, chosen = solved
    return _plan(floor, request, others, items, chosen)


def seat_jointly(
    floor: FloorPlan,
    requests: Sequence[PlanRequest],
    occupants: Sequence[Occupant],
    *,
    budget_ms: int,
) -> list[tuple[str, ...]] | PlanFailure:
    """Tables for every request at once (same order), movable occupants moved as needed."""
    ids = {r.booking_id for r in requests}
    solved = _solve(floor, requests, [o for o in occupants if o.booking_id not in ids], budget_ms)
    if isinstance(solved, PlanFailure):
        return solved
    index = floor_index(floor)
    return [index.tables_of(mask) for mask in solved[1][: len(requests)]]


def _solve(
    floor: FloorPlan,
    requests: Sequence[PlanRequest],
    others: Sequence[Occupant],
    budget_ms: int,
) -> tuple[list[_Item], list[int]] | PlanFailure:
    """The items (requests first) and the mask each takes, or why there is none."""
    fixed = [o for o in others if not o.movable]
    lo, hi = min(r.start for r in requests), max(r.end for r in requests)
    movable = sorted((o for o in others if o.movable), key=_stable_order)
    items = _items(floor, requests, overlap_component(lo, hi, movable), fixed)
    if any(not item.options for item in items[: len(requests)]):
        return PlanFailure(reason=NO_CAPACITY)
    model, choices = _build_model(floor_index(floor), items)
    solver = _solver(budget_ms)
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return PlanFailure(reason=NO_CAPACITY)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PlanFailure(reason=REPACK_TIMEOUT)
    return items, [_chosen(solver, item_vars) for item_vars in choices]


def _solver(budget_ms: int) -> cp_model.CpSolver:
    """One deterministic worker, tuned for proving "no room" fast.

    Measured on the dev scenarios: the full LP relaxation of the table cliques
    (linearization level 2, all constraints up front) proves most infeasible requests at the
    root; presolve only costs time on these pure set-packing models.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    budget = max(budget_ms, 1) / 1000
    # The deterministic limit normally ends a long search first, so the same input gives the
    # same answer however busy the machine; the wall-clock limit is the hard budget.
    params.max_deterministic_time = budget / 2
    params.max_time_in_seconds = budget
    params.num_workers = 1
    params.random_seed = _SEED
    params.linearization_level = 2
    params.add_lp_constraints_lazily = False
    params.cp_model_presolve = False
    return solver


def relevant_occupants(request: PlanRequest, others: Sequence[Occupant]) -> list[Occupant]:
    """Movable occupants connected to the request window through chains of overlaps."""
    movable = sorted((o for o in others if o.movable), key=_stable_order)
    return overlap_component(request.start, request.end, movable)


def overlap_component(lo: datetime, hi: datetime, windows: Sequence[_W]) -> list[_W]:
    """Those of `windows` connected to [lo, hi) through chains of overlaps, in their order.

    Connected intervals cover one contiguous span, so growing the span until nothing new
    overlaps it finds exactly that component; windows outside it can never clash with any
    window inside it, wherever either sits.
    """
    pending = list(windows)
    chosen: list[_W] = []
    grew = True
    while grew:
        grew = False
        rest: list[_W] = []
        for window in pending:
            if window.start < hi and lo < window.end:
                chosen.append(window)
                lo, hi = min(lo, window.start), max(hi, window.end)
                grew = True
            else:
                rest.append(window)
        pending = rest
    return chosen


def _stable_order(occupant: Occupant) -> tuple[object, ...]:
    """Order bookings by what they are, not by their ids (fresh UUIDs each run).

    The solver's tie-breaks follow variable order, so ordering by time, party and current
    tables makes the same floor state give the same plan whatever the bookings are called.
    """
    o = occupant
    return (o.start, o.end, o.party_size, tuple(sorted(o.tables)), o.booking_id)


def _items(
    floor: FloorPlan,
    requests: Sequence[PlanRequest],
    movable: Sequence[Occupant],
    fixed: Sequence[Occupant],
) -> list[_Item]:
    """The requests first, then each movable occupant, with the combinations open to each."""
    index = floor_index(floor)
    by_party: dict[int, tuple[Candidate, ...]] = {}

    def options(party: int, start: datetime, end: datetime) -> tuple[_Option, ...]:
        if party not in by_party:
            by_party[party] = minimal_candidates(floor, party)
        blocked = index_busy_mask(index, start, end, fixed)
        return tuple((c.mask, c.bits) for c in by_party[party] if not c.mask & blocked)

    items = [
        _Item(
            party_size=request.party_size,
            start=request.start,
            end=request.end,
            options=options(request.party_size, request.start, request.end),
        )
        for request in requests
    ]
    for occupant in movable:
        current = index.mask_of(occupant.tables)
        open_sets = options(occupant.party_size, occupant.start, occupant.end)
        if all(mask != current for mask, _ in open_sets):
            open_sets += ((current, bits_of(current)),)  # staying put is always allowed
        items.append(
            _Item(
                party_size=occupant.party_size,
                start=occupant.start,
                end=occupant.end,
                options=open_sets,
                occupant=occupant,
                current=current,
            )
        )
    return items


def _build_model(
    index: FloorIndex, items: Sequence[_Item]
) -> tuple[cp_model.CpModel, list[list[tuple[int, cp_model.IntVar]]]]:
    """Variables, exactly-one per booking, per-table cliques, objective and hints."""
    model = cp_model.CpModel()
    choices: list[list[tuple[int, cp_model.IntVar]]] = []
    #: Per table bit: for each booking that may take the table, its variables that do.
    users: list[dict[int, list[cp_model.IntVar]]] = [{} for _ in index.keys]
    for i, item in enumerate(items):
        item_vars = []
        for mask, bits in item.options:
            var = model.new_bool_var("")
            item_vars.append((mask, var))
            for bit in bits:
                users[bit].setdefault(i, []).append(var)
        model.add_exactly_one(var for _, var in item_vars)
        choices.append(item_vars)
    for table_users in users:
        for clique in _maximal_cliques(items, table_users):
            model.add_at_most_one(var for i in clique for var in table_users[i])
    _add_objective(model, index, items, choices)
    return model, choices


def _maximal_cliques(
    items: Sequence[_Item], users: dict[int, list[cp_model.IntVar]]
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
    items: Sequence[_Item],
    choices: Sequence[Sequence[tuple[int, cp_model.IntVar]]],
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


def _chosen(solver: cp_model.CpSolver, item_vars: Sequence[tuple[int, cp_model.IntVar]]) -> int:
    return next(mask for mask, var in item_vars if solver.boolean_value(var))


def _plan(
    floor: FloorPlan,
    request: PlanRequest,
    others: Sequence[Occupant],
    items: Sequence[_Item],
    chosen: Sequence[int],
) -> Plan:
    """Turn the solution into moves and a plan scored on the re-packed floor."""
    index = floor_index(floor)
    moves: dict[str, Move] = {}
    for item, mask in zip(items[1:], chosen[1:], strict=True):
        if mask != item.current and item.occupant is not None:
            moves[item.occupant.booking_id] = Move(
                booking_id=item.occupant.booking_id,
                from_tables=item.occupant.tables,
                to_tables=index.tables_of(mask),
            )
    after = [
        replace(o, tables=moves[o.booking_id].to_tables) if o.booking_id in moves else o
        for o in others
    ]
    tables = index.tables_of(chosen[0])
    ctx = build_context(floor, request, after)
    candidate = next(
        (c for c in candidates_for(floor, request.party_size) if c.mask == chosen[0]), None
    )
    score = plan_score(ctx, candidate) if candidate is not None else 0.0
    return Plan(
        tables=tables,
        strategy=REPACK_STRATEGY,
        score=score,
        moves=tuple(moves[key] for key in sorted(moves)),
    )
