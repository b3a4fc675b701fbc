"""The quick necessary condition: it says "cannot fit" only when no re-arrangement exists."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings

from seatflow.domain.floor import FloorPlan
from seatflow.planning.bounds import cannot_fit
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Plan
from seatflow.planning.repack import repack
from unit.planning.kit import make_floor, occupant, request, table
from unit.planning.test_property import Wish, rearrangement_exists, replayed, scenarios

TWO_AND_FOUR = make_floor([table("A", 2), table("B", 4)])
JOINED = make_floor([table("A", 2), table("B", 2), table("C", 2)], [("A", "B")])


def test_too_many_bookings_at_once() -> None:
    """Two bookings already fill both tables over the window: a third cannot fit."""
    busy = [occupant("x", ["A"], 0, 120), occupant("y", ["B"], 0, 120)]
    assert cannot_fit(TWO_AND_FOUR, request(2, 60, 180), busy)


def test_too_few_seats_at_once() -> None:
    """A four and a pair need six seats of the six there are; another pair finds none."""
    floor = make_floor([table("A", 2), table("B", 4), table("C", 2)], [("A", "C")])
    busy = [occupant("x", ["B"], 0, 120, party=4), occupant("y", ["A", "C"], 0, 120, party=4)]
    assert cannot_fit(floor, request(2, 30, 90), busy)


def test_a_pair_that_can_move_is_not_ruled_out() -> None:
    """A pair on the four-top can move to the two-top, so a four may still sit: no verdict."""
    busy = [occupant("x", ["B"], 0, 120)]
    assert not cannot_fit(TWO_AND_FOUR, request(4, 60, 180), busy)
    assert isinstance(plan_v3(TWO_AND_FOUR, request(4, 60, 180), busy), Plan)


def test_a_fixed_occupant_removes_its_tables() -> None:
    """A seated pair on the four-top leaves only the two-top, which cannot seat a four."""
    busy = [occupant("x", ["B"], 0, 120, movable=False)]
    assert cannot_fit(TWO_AND_FOUR, request(4, 60, 180), busy)


def test_joined_tables_count_as_the_tables_they_use() -> None:
    """A four needs A+B; with a pair on C and another on A or B at once, A+B is never free."""
    busy = [occupant("x", ["A"], 0, 120), occupant("y", ["C"], 0, 120)]
    assert cannot_fit(JOINED, request(4, 30, 90), busy)


def test_bookings_apart_in_time_do_not_add_up() -> None:
    """Two pairs one after the other on one two-top leave the four-top free."""
    busy = [occupant("x", ["A"], 0, 60), occupant("y", ["A"], 60, 120)]
    assert not cannot_fit(TWO_AND_FOUR, request(4, 0, 120), busy)


def test_the_request_own_tables_are_ignored() -> None:
    """Re-planning a booking ignores its own current tables (it is the request)."""
    busy = [occupant("me", ["B"], 0, 120, party=4), occupant("y", ["A"], 0, 120)]
    assert not cannot_fit(TWO_AND_FOUR, request(4, 0, 120, booking_id="me"), busy)


def test_agrees_with_the_exact_search_on_a_full_floor() -> None:
    """Where the bound says no, the exact re-pack proves no room too."""
    busy = [occupant("x", ["A"], 0, 120), occupant("y", ["B"], 30, 150, party=3)]
    wanted = request(2, 60, 100)
    assert cannot_fit(TWO_AND_FOUR, wanted, busy)
    assert not isinstance(repack(TWO_AND_FOUR, wanted, busy, budget_ms=2000), Plan)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_never_rules_out_a_request_that_a_rearrangement_seats(
    scenario: tuple[FloorPlan, list[Wish]],
) -> None:
    """On random small floors and streams (placed by V3), "cannot fit" implies the brute force
    finds no rearrangement of the movable bookings either."""
    floor, wishes = scenario
    for wanted, new, placed in replayed(floor, wishes):
        ruled_out = cannot_fit(floor, wanted, placed)
        event(f"bound: {'cannot fit' if ruled_out else 'no verdict'}")
        if ruled_out:
            assert not rearrangement_exists(floor, placed, new)
