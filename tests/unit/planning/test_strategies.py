"""Each V3 strategy on its own: what it proposes first, and when it has no opinion."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from seatflow.domain.floor import FloorPlan
from seatflow.planning.model import Occupant, PlanRequest
from seatflow.planning.strategies import STRATEGIES
from unit.planning.kit import context, make_floor, occupant, request, table

SMALL = make_floor([table("A", 2), table("B", 4), table("C", 6)])
JOINED = make_floor(
    [table("A", 2), table("B", 2), table("C", 2), table("D", 2), table("E", 2), table("F", 2)],
    # A-B-C is a triangle; D-E-F is a path.
    [("A", "B"), ("B", "C"), ("A", "C"), ("D", "E"), ("E", "F")],
)
SINGLE_OR_PAIR = make_floor([table("A", 2), table("B", 2), table("C", 6)], [("A", "B")])
ZONED = make_floor([table("M1", 2), table("T1", 4, "terrace")], zones=("main", "terrace"))
TWINS = make_floor([table("A", 2), table("B", 2)])

Case = tuple[str, FloorPlan, PlanRequest, Sequence[Occupant], tuple[str, ...]]

CASES: list[Case] = [
    ("optimal_fit", SMALL, request(2), (), ("A",)),
    ("optimal_fit", SMALL, request(3), (), ("B",)),
    ("optimal_fit", SMALL, request(3), [occupant("x", ["B"])], ("C",)),
    ("adjacency", SINGLE_OR_PAIR, request(4), (), ("C",)),
    ("adjacency", JOINED, request(6), (), ("A", "B", "C")),
    ("zone_preference", ZONED, request(2, zone="terrace"), (), ("T1",)),
    ("zone_preference", ZONED, request(2, zone="main"), (), ("M1",)),
    ("load_balancing", TWINS, request(2, 200, 300), [occupant("x", ["A"], 0, 120)], ("B",)),
    ("load_balancing", TWINS, request(2, 200, 300), [occupant("x", ["B"], 0, 120)], ("A",)),
]


@pytest.mark.parametrize(
    ("name", "floor", "wanted", "occupants", "first"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_strategy_proposes_its_favourite_first(
    name: str,
    floor: FloorPlan,
    wanted: PlanRequest,
    occupants: Sequence[Occupant],
    first: tuple[str, ...],
) -> None:
    """Each strategy puts first the candidate its own criterion prefers."""
    proposals = STRATEGIES[name](context(floor, wanted, occupants))
    assert proposals[0].combo.tables == first


def test_zone_preference_without_a_wish_proposes_nothing() -> None:
    """No zone wish means the zone strategy stays silent."""
    assert STRATEGIES["zone_preference"](context(ZONED, request(2))) == []


def test_zone_preference_never_proposes_another_zone() -> None:
    """A wish for a zone with no fitting table proposes nothing rather than another zone."""
    ctx = context(ZONED, request(4, zone="main"))
    assert STRATEGIES["zone_preference"](ctx) == []


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_strategies_only_propose_candidates_that_fit_now(name: str) -> None:
    """Whatever a strategy prefers, it proposes only free, seating candidates."""
    busy = [occupant("x", ["A"])]
    ctx = context(SMALL, request(2, zone="main"), busy)
    proposed = {c.combo.tables for c in STRATEGIES[name](ctx)}
    assert proposed <= {c.combo.tables for c in ctx.candidates}
    assert ("A",) not in proposed


def test_registry_names_the_four_strategies() -> None:
    """The registry is the one place strategies are found by name."""
    assert list(STRATEGIES) == ["optimal_fit", "adjacency", "zone_preference", "load_balancing"]
