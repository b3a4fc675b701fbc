"""The one scoring function's order, and how the V3 engine ranks and credits plans."""

from __future__ import annotations

import pytest

from seatflow.domain.floor import FloorPlan
from seatflow.planning.engine import plan_v3, rank_plans
from seatflow.planning.index import large_party_size
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest
from seatflow.planning.scoring import plan_cost, plan_score
from seatflow.planning.strategies import STRATEGIES
from unit.planning.kit import context, make_floor, occupant, request, table

SMALL = make_floor([table("A", 2), table("B", 4), table("C", 6)])
PAIR_OR_FOUR = make_floor([table("A", 2), table("B", 2), table("C", 4)], [("A", "B")])
ZONED = make_floor([table("M1", 2), table("T1", 4, "terrace")], zones=("main", "terrace"))
#: B and C join into the floor's only large-party combination; A stands alone.
SCARCE = make_floor([table("A", 3), table("B", 2), table("C", 4)], [("B", "C")])
#: Six seat exactly on the joined A–B–C, or on D alone with two seats to spare.
ONE_OR_THREE = make_floor(
    [table("A", 2), table("B", 2), table("C", 2), table("D", 8)], [("A", "B"), ("B", "C")]
)

#: For each registered strategy, a request whose best plan that strategy ranks first — given
#: only what the assignment path passes plan_v3 (floor, request, occupants).
WINS: dict[str, tuple[FloorPlan, PlanRequest, list[Occupant]]] = {
    "optimal_fit": (SMALL, request(2), []),
    "adjacency": (ONE_OR_THREE, request(6), []),
    "zone_preference": (ZONED, request(2, zone="terrace"), []),
    # B, the tightest fit, was busy earlier in the service: only load_balancing ranks A first.
    "load_balancing": (SCARCE, request(2, 200, 300), [occupant("x", ["B"], 0, 120)]),
}


def cheaper(floor: FloorPlan, wanted: PlanRequest, busy: list[Occupant]) -> tuple[str, ...]:
    """The candidate with the lowest cost."""
    ctx = context(floor, wanted, busy)
    return min(ctx.candidates, key=lambda c: (plan_cost(ctx, c), c.combo.tables)).combo.tables


@pytest.mark.parametrize(
    ("floor", "wanted", "busy", "best", "why"),
    [
        (SMALL, request(2), [], ("A",), "fewest wasted seats"),
        (PAIR_OR_FOUR, request(4), [], ("C",), "fewest tables at equal waste"),
        (ZONED, request(2, zone="terrace"), [], ("T1",), "zone wish outweighs two seats"),
        (ZONED, request(2, zone=None), [], ("M1",), "no wish: tightest fit"),
        (SCARCE, request(2), [], ("A",), "look-ahead keeps the large combo free"),
        (SCARCE, request(2), [occupant("x", ["C"])], ("B",), "combo already broken: fit wins"),
    ],
)
def test_scoring_order(
    floor: FloorPlan, wanted: PlanRequest, busy: list[Occupant], best: tuple[str, ...], why: str
) -> None:
    """The scoring function prefers the plan the rule in `why` says it should."""
    assert cheaper(floor, wanted, busy) == best, why


def test_large_party_threshold() -> None:
    """A party is large once at most a quarter of the tables seat it alone."""
    assert large_party_size(SCARCE) == 5
    four = make_floor([table("A", 2), table("B", 2), table("C", 2), table("D", 8)])
    assert large_party_size(four) == 3


def test_perfect_fit_scores_one() -> None:
    """A plan with no waste, one table and nothing scarce spent scores exactly 1."""
    ctx = context(SMALL, request(2))
    best = next(c for c in ctx.candidates if c.combo.tables == ("A",))
    assert plan_score(ctx, best) == 1.0
    assert all(0.0 < plan_score(ctx, c) <= 1.0 for c in ctx.candidates)


def test_rank_plans_lists_every_fitting_plan_best_first() -> None:
    """rank_plans returns one plan per free seating combination, ordered by score."""
    plans = rank_plans(PAIR_OR_FOUR, request(2), [occupant("x", ["B"])])
    assert {p.tables for p in plans} == {("A",), ("C",)}
    assert [p.score for p in plans] == sorted((p.score for p in plans), reverse=True)
    assert plans[0].tables == ("A",)


def test_plan_v3_returns_the_top_ranked_plan_credited_to_a_strategy() -> None:
    """The winner is rank_plans' first, named after a registered strategy."""
    result = plan_v3(SMALL, request(3), [])
    assert isinstance(result, Plan)
    assert result == rank_plans(SMALL, request(3), [])[0]
    assert result.strategy in STRATEGIES
    assert result.moves == ()


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_every_registered_strategy_wins_a_plan_through_plan_v3(name: str) -> None:
    """No strategy exists only in tests: each one is credited with the plan plan_v3 returns for
    some floor and request, called as the assignment path calls it."""
    assert name in WINS, f"{name} never wins a plan on the assignment path"
    floor, wanted, busy = WINS[name]
    result = plan_v3(floor, wanted, busy)
    assert isinstance(result, Plan) and result.strategy == name


def test_party_too_large_for_any_combination() -> None:
    """A party no combination can seat fails without searching."""
    assert plan_v3(SMALL, request(7), []) == PlanFailure(reason="party_too_large")


def test_request_ignores_its_own_current_tables() -> None:
    """Re-planning a booking that already holds tables may keep them."""
    busy = [occupant("new", ["A"]), occupant("x", ["B"]), occupant("y", ["C"])]
    result = plan_v3(SMALL, request(2), busy)
    assert isinstance(result, Plan) and result.tables == ("A",)


def test_zero_budget_disables_repack() -> None:
    """With no re-pack budget, a full floor is simply no capacity."""
    busy = [occupant("x", ["B"], party=3)]
    result = plan_v3(
        make_floor([table("B", 4), table("A", 2)]), request(4), busy, repack_budget_ms=0
    )
    assert result == PlanFailure(reason="no_capacity")
