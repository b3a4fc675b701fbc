"""The re-pack's decomposition: pruning to the connected bookings and searching neighbourhoods
change no answer the whole model would give, only how long it takes to find."""

from __future__ import annotations

import time
from dataclasses import replace
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seatflow.domain.floor import FloorPlan
from seatflow.planning import repack as repack_module
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest
from seatflow.planning.repack import repack
from unit.planning.kit import make_floor, occupant, request, table
from unit.planning.test_property import crowded_states, problems, random_states

State = tuple[FloorPlan, list[Occupant], PlanRequest]


def _whole(floor: FloorPlan, want: PlanRequest, placed: list[Occupant]) -> Plan | PlanFailure:
    """The re-pack over every booking of the overlap component, none pruned."""
    with mock.patch.object(repack_module, "connected", lambda items, n, deadline: list(items)):
        return repack(floor, want, placed, budget_ms=5000)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(random_states(), crowded_states()))
def test_pruning_keeps_the_whole_models_answer(state: State) -> None:
    """Leaving out the bookings that cannot interact gives the same verdict and move count."""
    floor, placed, want = state
    pruned, whole = repack(floor, want, placed, budget_ms=5000), _whole(floor, want, placed)
    assert type(pruned) is type(whole)
    if isinstance(pruned, Plan) and isinstance(whole, Plan):
        assert len(pruned.moves) == len(whole.moves)
    else:
        assert pruned == whole


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(random_states(), crowded_states()))
def test_neighbourhoods_only_find_valid_plans_the_whole_model_would(state: State) -> None:
    """Forced onto a small floor, the neighbourhood search seats only where the exact one does,
    and every plan it gives is a valid seating of everyone."""
    floor, placed, want = state
    with mock.patch.object(repack_module, "EXACT_TABLES", 0):
        found = repack(floor, want, placed, budget_ms=5000)
    exact = repack(floor, want, placed, budget_ms=5000)
    if not isinstance(found, Plan):
        assert found == PlanFailure(reason="no_capacity")
        return
    assert isinstance(exact, Plan)
    after = {o.booking_id: o for o in placed}
    for move in found.moves:
        assert after[move.booking_id].movable
        after[move.booking_id] = replace(after[move.booking_id], tables=move.to_tables)
    seated = Occupant(
        booking_id=want.booking_id,
        party_size=want.party_size,
        start=want.start,
        end=want.end,
        tables=found.tables,
        movable=False,
    )
    assert problems(floor, [*after.values(), seated]) == []


def test_neighbourhood_moves_a_booking_to_another_zone() -> None:
    """The pair on the terrace's only four-top may go to the garden's free two-top."""
    floor = make_floor(
        [table("T4", 4, "terrace"), table("G2", 2, "garden")], zones=("terrace", "garden")
    )
    busy = [occupant("x", ["T4"], 0, 120)]
    with mock.patch.object(repack_module, "EXACT_TABLES", 0):
        result = repack(floor, request(4, 60, 180), busy, budget_ms=2000)
    assert isinstance(result, Plan)
    assert result.tables == ("T4",)
    assert [(m.booking_id, m.to_tables) for m in result.moves] == [("x", ("G2",))]


def test_a_deadline_passed_while_building_is_a_timeout() -> None:
    """The budget covers building the model: past the deadline nothing is solved."""
    floor = make_floor([table("A", 2), table("B", 4)])
    busy = [occupant("x", ["B"], 0, 120)]
    result = repack(floor, request(4, 60, 180), busy, budget_ms=2000, deadline=time.monotonic() - 1)
    assert result == PlanFailure(reason="repack_timeout")


def test_a_second_wider_pass_follows_chains_beyond_the_window() -> None:
    """The pair on the four-top can only move to A once the earlier pair on A moves to B, and
    that earlier pair never overlaps the request: only the wider pass lets it move."""
    floor = make_floor([table("T4", 4), table("A", 2), table("B", 2)])
    busy = [
        occupant("x", ["T4"], 0, 120),
        occupant("early", ["A"], -30, 50),
        occupant("fixed", ["B"], 55, 200, movable=False),
    ]
    with mock.patch.object(repack_module, "EXACT_TABLES", 0):
        result = repack(floor, request(4, 60, 180), busy, budget_ms=2000)
    assert isinstance(result, Plan)
    assert result.tables == ("T4",)
    moved = {m.booking_id: m.to_tables for m in result.moves}
    assert moved.keys() == {"x", "early"} and moved["x"] == ("A",)
