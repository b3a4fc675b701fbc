"""Re-packing: give movable bookings other valid tables so a request that fits nowhere fits.

An exact search with OR-Tools CP-SAT (the model is `repack_model`). The objective moves as few
bookings as possible. A proven infeasibility is ``no_capacity``; a budget spent without any
answer — model building included — is ``repack_timeout``.

On a floor of at most `EXACT_TABLES` tables one model covers every movable booking chained to
the request by overlaps (that is what `benchmarks/quality.py` holds at 1.000 of the `repack`
ceiling). A larger floor is searched by neighbourhoods (`neighbourhood`): one zone at a time,
moving only the bookings in that zone around the request's window, everything else fixed
where it sits — each model small enough to build and solve within the budget; an answer found
is valid, a "no" from every zone is the large floor's (not proven) "no capacity".

The same model seats several requests at once (`seat_jointly`): acceptance asks whether a new
booking and every accepted-but-unplaced booking can all be seated together.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from ortools.sat.python import cp_model

from seatflow.domain.floor import FloorPlan
from seatflow.planning.context import build_context
from seatflow.planning.index import candidates_for, floor_index
from seatflow.planning.model import (
    NO_CAPACITY,
    REPACK_TIMEOUT,
    Move,
    Occupant,
    Plan,
    PlanFailure,
    PlanRequest,
)
from seatflow.planning.neighbourhood import Neighbourhood, neighbourhoods
from seatflow.planning.overlap import overlap_component
from seatflow.planning.repack_model import Item, OutOfTime, build_model, connected, items_for
from seatflow.planning.scoring import plan_score

__all__ = [
    "EXACT_TABLES",
    "REPACK_STRATEGY",
    "overlap_component",
    "relevant_occupants",
    "repack",
    "seat_jointly",
]

REPACK_STRATEGY = "repack"
#: Floors up to this many tables get the one exact model (the shared scenarios reach 60).
EXACT_TABLES = 120
#: The share of the budget kept back from the neighbourhoods' second, wider pass.
_WIDE_SHARE = 0.5
#: Fixed so the same snapshot gives the same answer (with one worker the search is sequential).
_SEED = 0
#: Kept back from the budget for turning a solution into a plan and for the solver's overshoot
#: past its wall-clock limit on a busy machine: this share of the budget, at least 20 ms.
_MARGIN_SHARE, _MARGIN_MIN_S = 0.04, 0.02


_Solved = tuple[list[Item], list[int]]
#: The whole budget (ms) and the `time.monotonic()` instant it ends.
_Clock = tuple[int, float]


def repack(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    budget_ms: int,
    deadline: float | None = None,
) -> Plan | PlanFailure:
    """Find tables for the request, moving as few movable occupants as possible.

    The search ends by `deadline` (a `time.monotonic()` instant; default: the budget from now);
    the budget alone sets the solver's deterministic limit, so the same input gives the same
    answer however long the caller took before.
    """
    end = time.monotonic() + max(budget_ms, 1) / 1000 if deadline is None else deadline
    deadline = end - _margin(budget_ms)
    others = [o for o in occupants if o.booking_id != request.booking_id]
    if len(floor.tables) <= EXACT_TABLES:
        solved = _solve(floor, [request], others, (budget_ms, deadline))
    else:
        solved = _search_neighbourhoods(floor, request, others, (budget_ms, deadline))
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
    deadline = time.monotonic() + max(budget_ms, 1) / 1000 - _margin(budget_ms)
    others = [o for o in occupants if o.booking_id not in ids]
    solved = _solve(floor, requests, others, (budget_ms, deadline))
    if isinstance(solved, PlanFailure):
        return solved
    index = floor_index(floor)
    return [index.tables_of(mask) for mask in solved[1][: len(requests)]]


def _search_neighbourhoods(
    floor: FloorPlan, request: PlanRequest, others: Sequence[Occupant], clock: _Clock
) -> _Solved | PlanFailure:
    """The first neighbourhood that seats the request, most promising first: every zone with
    the bookings overlapping the request movable, then — until half the budget is spent — every
    zone with their chains too. Running out of time in that second pass still answers no
    capacity: the first pass has searched what it always does, and a refusal (most calls on a
    booked-up floor) should not cost the whole budget."""
    narrow: dict[str, int] = {}
    for hood in neighbourhoods(floor, request, others):
        narrow[hood.zone] = len(hood.movable)
        solved = _solve(floor, [request], others, clock, hood)
        if not isinstance(solved, PlanFailure) or solved.reason != NO_CAPACITY:
            return solved
    wide_clock = (clock[0], clock[1] - clock[0] / 1000 * _WIDE_SHARE)
    for hood in neighbourhoods(floor, request, others, wide=True):
        if len(hood.movable) == narrow.get(hood.zone):
            continue  # nothing chained beyond the window: already searched
        solved = _solve(floor, [request], others, wide_clock, hood)
        if not isinstance(solved, PlanFailure):
            return solved
        if solved.reason == REPACK_TIMEOUT:
            break
    return PlanFailure(reason=NO_CAPACITY)


def _solve(
    floor: FloorPlan,
    requests: Sequence[PlanRequest],
    others: Sequence[Occupant],
    clock: _Clock,
    hood: Neighbourhood | None = None,
) -> _Solved | PlanFailure:
    """The items (requests first) and the mask each takes, or why there is none."""
    budget_ms, deadline = clock
    try:
        items = _items(floor, requests, others, deadline, hood)
        if any(not item.options for item in items[: len(requests)]):
            return PlanFailure(reason=NO_CAPACITY)
        model, choices = build_model(floor_index(floor), items, deadline)
    except OutOfTime:
        return PlanFailure(reason=REPACK_TIMEOUT)
    remaining_ms = (deadline - time.monotonic()) * 1000
    if remaining_ms <= 0:
        return PlanFailure(reason=REPACK_TIMEOUT)
    solver = _solver(budget_ms, wall_ms=remaining_ms)
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return PlanFailure(reason=NO_CAPACITY)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PlanFailure(reason=REPACK_TIMEOUT)
    return items, [_chosen(solver, item_vars) for item_vars in choices]


def _items(
    floor: FloorPlan,
    requests: Sequence[PlanRequest],
    others: Sequence[Occupant],
    deadline: float,
    hood: Neighbourhood | None,
) -> list[Item]:
    """The model's bookings: the whole overlap component, or one neighbourhood's."""
    if hood is None:
        lo, hi = min(r.start for r in requests), max(r.end for r in requests)
        movable = overlap_component(lo, hi, sorted(_movable(others), key=_stable_order))
        fixed = [o for o in others if not o.movable]
        allowed = -1
    else:
        movable, fixed, allowed = list(hood.movable), list(hood.fixed), hood.tables
    items = items_for(floor, requests, movable, fixed, deadline=deadline, allowed=allowed)
    return connected(items, len(requests), deadline)


def _margin(budget_ms: int) -> float:
    return max(_MARGIN_MIN_S, _MARGIN_SHARE * budget_ms / 1000)


def _movable(others: Sequence[Occupant]) -> list[Occupant]:
    return [o for o in others if o.movable]


def _solver(budget_ms: int, *, wall_ms: float | None = None) -> cp_model.CpSolver:
    """One deterministic worker, tuned for proving "no room" fast.

    Measured on the dev scenarios: the full LP relaxation of the table cliques
    (linearization level 2, all constraints up front) proves most infeasible requests at the
    root; presolve only costs time on these pure set-packing models.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    budget = max(budget_ms, 1) / 1000
    # The deterministic limit normally ends a long search first, so the same input gives the
    # same answer however busy the machine; the wall-clock limit is the hard budget (what is
    # left of it once the model is built).
    params.max_deterministic_time = budget / 2
    params.max_time_in_seconds = budget if wall_ms is None else max(wall_ms, 1) / 1000
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


def _stable_order(occupant: Occupant) -> tuple[object, ...]:
    """Order bookings by what they are, not by their ids (fresh UUIDs each run).

    The solver's tie-breaks follow variable order, so ordering by time, party and current
    tables makes the same floor state give the same plan whatever the bookings are called.
    """
    o = occupant
    return (o.start, o.end, o.party_size, tuple(sorted(o.tables)), o.booking_id)


def _chosen(solver: cp_model.CpSolver, item_vars: Sequence[tuple[int, cp_model.IntVar]]) -> int:
    return next(mask for mask, var in item_vars if solver.boolean_value(var))


def _plan(
    floor: FloorPlan,
    request: PlanRequest,
    others: Sequence[Occupant],
    items: Sequence[Item],
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
