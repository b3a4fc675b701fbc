"""Re-packing: moving movable bookings so a request fits, exactly and only when possible."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from seatflow.planning import repack as repack_module
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Move, Plan, PlanFailure
from seatflow.planning.repack import relevant_occupants, repack
from unit.planning.kit import make_floor, occupant, request, table

TWO_AND_FOUR = make_floor([table("A", 2), table("B", 4)])
THREE = make_floor([table("A", 2), table("B", 2), table("C", 4)])


def test_moves_a_small_party_off_the_big_table() -> None:
    """A pair on the only four-top moves to the two-top so a four can sit."""
    busy = [occupant("x", ["B"], 0, 120)]
    result = plan_v3(TWO_AND_FOUR, request(4, 60, 180), busy)
    assert result == Plan(
        tables=("B",),
        strategy="repack",
        score=result.score if isinstance(result, Plan) else 0.0,
        moves=(Move(booking_id="x", from_tables=("B",), to_tables=("A",)),),
    )


def test_never_moves_a_non_movable_occupant() -> None:
    """A seated (or held) booking stays put, so the request cannot fit."""
    busy = [occupant("x", ["B"], 0, 120, movable=False)]
    assert plan_v3(TWO_AND_FOUR, request(4, 60, 180), busy) == PlanFailure(reason="no_capacity")


def test_fails_cleanly_when_no_rearrangement_exists() -> None:
    """With every seat needed at once, re-packing proves there is no room."""
    busy = [occupant("x", ["B"], 0, 120), occupant("y", ["A"], 0, 120)]
    assert repack(TWO_AND_FOUR, request(4, 60, 180), busy, budget_ms=2000) == PlanFailure(
        reason="no_capacity"
    )


def test_follows_chains_of_overlap() -> None:
    """Moving one booking may push a later one that never overlaps the request itself."""
    busy = [occupant("x", ["B"], 0, 120), occupant("y", ["A"], 100, 220)]
    result = repack(TWO_AND_FOUR, request(4, 60, 90), busy, budget_ms=2000)
    assert isinstance(result, Plan)
    assert result.tables == ("B",)
    assert {(m.booking_id, m.to_tables) for m in result.moves} == {("x", ("A",)), ("y", ("B",))}


def test_moves_as_few_bookings_as_possible() -> None:
    """Of several rearrangements, the one with the fewest moves wins."""
    busy = [occupant("x", ["C"], 0, 120), occupant("z", ["A"], 0, 120)]
    result = repack(THREE, request(4, 60, 180), busy, budget_ms=2000)
    assert isinstance(result, Plan)
    assert result.moves == (Move(booking_id="x", from_tables=("C",), to_tables=("B",)),)


def test_unusual_current_tables_may_stay() -> None:
    """A booking on a set the rules would not offer (two unjoined tables) may keep it."""
    floor = make_floor([table("A", 2), table("B", 2), table("C", 4), table("D", 2)])
    busy = [occupant("odd", ["A", "B"], 0, 120, party=3), occupant("x", ["C"], 0, 120)]
    result = repack(floor, request(4, 60, 180), busy, budget_ms=2000)
    assert isinstance(result, Plan)
    assert result.moves == (Move(booking_id="x", from_tables=("C",), to_tables=("D",)),)


def test_same_input_gives_the_same_plan() -> None:
    """One worker and a fixed seed make re-packing reproducible."""
    busy = [occupant(f"b{i}", [k], 0, 120) for i, k in enumerate(["A", "C"])]
    first = repack(THREE, request(4, 60, 180), busy, budget_ms=2000)
    assert all(repack(THREE, request(4, 60, 180), busy, budget_ms=2000) == first for _ in range(3))


def test_plan_does_not_depend_on_booking_ids_or_their_order() -> None:
    """Renaming and shuffling the bookings (fresh UUIDs each run) changes nothing."""
    floor = make_floor(
        [table("A", 2), table("B", 2), table("E", 2), table("C", 4), table("D", 4)], [("C", "D")]
    )
    # Two pairs must leave C and D; B and E are interchangeable, so ties must break the same.
    layout = [(["C"], 0, 120), (["D"], 30, 150), (["A"], 0, 120), (["B"], 200, 300)]
    names = {"p": ["b1", "b2", "b3", "b4"], "q": ["z9", "a0", "m5", "c3"]}
    outcomes = []
    for key, ids in names.items():
        busy = [occupant(i, t, s, e) for i, (t, s, e) in zip(ids, layout, strict=True)]
        result = repack(
            floor, request(6, 60, 180), busy[::-1] if key == "q" else busy, budget_ms=2000
        )
        assert isinstance(result, Plan)
        index = dict(zip(ids, range(4), strict=True))
        outcomes.append(
            (result.tables, sorted((index[m.booking_id], m.to_tables) for m in result.moves))
        )
    assert outcomes[0] == outcomes[1]


def test_budget_spent_without_answer_is_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the solver knows nothing at the deadline, the failure says timeout, not no room."""

    class Exhausted:
        def solve(self, model: cp_model.CpModel) -> int:
            return cp_model.UNKNOWN

    monkeypatch.setattr(repack_module, "_solver", lambda budget_ms, **_: Exhausted())
    busy = [occupant("x", ["B"], 0, 120)]
    assert repack(TWO_AND_FOUR, request(4, 60, 180), busy, budget_ms=1) == PlanFailure(
        reason="repack_timeout"
    )


def test_relevant_occupants_are_the_overlap_component() -> None:
    """Movable bookings chained to the request by overlaps are in; the rest are out."""
    chained = occupant("chained", ["A"], 100, 220)
    near = occupant("near", ["B"], 0, 120)
    later = occupant("later", ["A"], 400, 500)
    fixed = occupant("fixed", ["C"], 0, 120, movable=False)
    found = relevant_occupants(request(4, 60, 90), [later, chained, near, fixed])
    assert {o.booking_id for o in found} == {"near", "chained"}
