"""Which live seatings a new floor strands, and the reason given for each."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.domain.floor_change import Seating, seating_problem, stranded_by

#: A (2) alone; B (4) and C (4) adjacent and combinable in main; T (2) on the terrace.
FLOOR = FloorPlan(
    slug="f",
    name="F",
    policy=VenuePolicy(
        turn_minutes=(TurnRule(max_party=99, minutes=90),), max_tables_per_booking=2
    ),
    zones=(Zone(key="main", name="Main"), Zone(key="terrace", name="Terrace")),
    tables=(
        Table(key="A", zone="main", capacity=2),
        Table(key="B", zone="main", capacity=4),
        Table(key="C", zone="main", capacity=4),
        Table(key="T", zone="terrace", capacity=2),
    ),
    adjacency=frozenset({frozenset({"B", "C"})}),
)


def _with_table(key: str, **changes: Any) -> Callable[[FloorPlan], FloorPlan]:
    def change(floor: FloorPlan) -> FloorPlan:
        tables = tuple(
            dataclasses.replace(t, **changes) if t.key == key else t for t in floor.tables
        )
        return dataclasses.replace(floor, tables=tables)

    return change


def _without(key: str) -> Callable[[FloorPlan], FloorPlan]:
    def change(floor: FloorPlan) -> FloorPlan:
        return dataclasses.replace(
            floor,
            tables=tuple(t for t in floor.tables if t.key != key),
            adjacency=frozenset(p for p in floor.adjacency if key not in p),
        )

    return change


def _no_adjacency(floor: FloorPlan) -> FloorPlan:
    return dataclasses.replace(floor, adjacency=frozenset())


def _one_table_per_booking(floor: FloorPlan) -> FloorPlan:
    return dataclasses.replace(
        floor, policy=dataclasses.replace(floor.policy, max_tables_per_booking=1)
    )


STRANDING = [
    ("table-removed", _without("A"), 2, ("A",), "table A is no longer on the floor"),
    ("joined-table-removed", _without("C"), 6, ("B", "C"), "table C is no longer on the floor"),
    ("capacity-shrunk", _with_table("B", capacity=3), 4, ("B",), "now seats at most 3"),
    ("minimum-raised", _with_table("A", min_party=2), 1, ("A",), "at least 2, the party is 1"),
    ("no-longer-combinable", _with_table("C", combinable=False), 6, ("B", "C"), "combinable"),
    ("adjacency-removed", _no_adjacency, 6, ("B", "C"), "no longer adjacent"),
    ("zones-split", _with_table("C", zone="terrace"), 6, ("B", "C"), "no longer in one zone"),
    ("fewer-tables-allowed", _one_table_per_booking, 6, ("B", "C"), "at most 1"),
    ("joined-seats-shrunk", _with_table("C", capacity=1), 6, ("B", "C"), "now seat 5 together"),
]


@pytest.mark.parametrize(
    ("change", "party", "tables", "reason"),
    [case[1:] for case in STRANDING],
    ids=[case[0] for case in STRANDING],
)
def test_a_change_that_breaks_the_seating_strands_it(
    change: Callable[[FloorPlan], FloorPlan], party: int, tables: tuple[str, ...], reason: str
) -> None:
    """A seating valid on the old floor is stranded by the change, with the reason in words."""
    assert seating_problem(FLOOR, party, tables) is None
    problem = seating_problem(change(FLOOR), party, tables)
    assert problem is not None and reason in problem


KEEPING = [
    ("other-table-removed", _without("T"), 2, ("A",)),
    ("capacity-grown", _with_table("A", capacity=4), 2, ("A",)),
    ("lone-table-moved-zone", _with_table("A", zone="terrace"), 2, ("A",)),
    ("lone-table-uncombinable", _with_table("B", combinable=False), 4, ("B",)),
    ("adjacency-of-others", _no_adjacency, 4, ("C",)),
]


@pytest.mark.parametrize(
    ("change", "party", "tables"),
    [case[1:] for case in KEEPING],
    ids=[case[0] for case in KEEPING],
)
def test_a_change_that_keeps_the_seating_valid_strands_nothing(
    change: Callable[[FloorPlan], FloorPlan], party: int, tables: tuple[str, ...]
) -> None:
    """Changes elsewhere on the floor, or that the seating survives, strand nothing."""
    assert seating_problem(change(FLOOR), party, tables) is None


def test_stranded_by_returns_only_the_broken_seatings_in_order() -> None:
    """Of several seatings, exactly those the new floor breaks come back, each with its reason."""
    start = datetime(2026, 12, 5, 19, tzinfo=UTC)
    seatings = [
        Seating(booking_id=str(i), ref=f"R{i}", start_at=start, party_size=party, tables=tables)
        for i, (party, tables) in enumerate([(2, ("A",)), (6, ("B", "C")), (2, ("T",))])
    ]
    stranded = stranded_by(_without("C")(FLOOR), seatings)
    assert [(s.seating.ref, s.reason) for s in stranded] == [
        ("R1", "table C is no longer on the floor")
    ]
