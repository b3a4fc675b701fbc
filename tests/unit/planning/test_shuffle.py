"""The quick yes: a short shuffle of the bookings in the way, and `can_seat` built on it."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, event, given, settings

from seatflow.domain.floor import FloorPlan
from seatflow.planning.engine import can_seat, plan_v3
from seatflow.planning.model import Plan
from seatflow.planning.shuffle import fits_by_shuffle
from unit.planning.kit import make_floor, occupant, request, table
from unit.planning.test_property import Wish, rearrangement_exists, replayed, scenarios

TWO_AND_FOUR = make_floor([table("A", 2), table("B", 4)])
CHAIN = make_floor([table("A", 2), table("B", 4), table("C", 6)])


def test_moves_the_pair_off_the_four_top() -> None:
    """A pair on the only four-top moves to the two-top: a four fits."""
    busy = [occupant("x", ["B"], 0, 120)]
    assert fits_by_shuffle(TWO_AND_FOUR, request(4, 60, 180), busy)


def test_moves_a_booking_that_moves_another() -> None:
    """A six needs C, whose four must take B, whose pair must take A: two moves."""
    busy = [occupant("x", ["C"], 0, 120, party=4), occupant("y", ["B"], 0, 120)]
    assert fits_by_shuffle(CHAIN, request(6, 30, 90), busy)


def test_gives_up_past_its_deadline() -> None:
    """A deadline already passed stops the search before any move: a no, never a wrong yes."""
    busy = [occupant("x", ["B"], 0, 120)]
    assert not fits_by_shuffle(TWO_AND_FOUR, request(4, 60, 180), busy, deadline=0.0)
    far = time.monotonic() + 60
    assert fits_by_shuffle(TWO_AND_FOUR, request(4, 60, 180), busy, deadline=far)


def test_never_moves_a_fixed_booking() -> None:
    """A seated pair on the four-top stays, so the four does not fit."""
    busy = [occupant("x", ["B"], 0, 120, movable=False)]
    assert not fits_by_shuffle(TWO_AND_FOUR, request(4, 60, 180), busy)


def test_can_seat_answers_from_free_tables_without_searching() -> None:
    """Without a search only free tables count: the pair in the way is not moved."""
    busy = [occupant("x", ["B"], 0, 120)]
    assert can_seat(TWO_AND_FOUR, request(2, 60, 180), busy, search=False)
    assert not can_seat(TWO_AND_FOUR, request(4, 60, 180), busy, search=False)
    assert can_seat(TWO_AND_FOUR, request(4, 60, 180), busy, search=True)


def test_can_seat_says_no_to_a_party_no_table_seats() -> None:
    """A party larger than every combination is never seatable."""
    assert not can_seat(TWO_AND_FOUR, request(9), [], search=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_a_yes_is_always_a_real_arrangement(scenario: tuple[FloorPlan, list[Wish]]) -> None:
    """On random small floors and streams, `can_seat` says yes only when the brute force finds
    a rearrangement, and says no to nothing that the free tables seat."""
    floor, wishes = scenario
    for wanted, new, placed in replayed(floor, wishes):
        yes = can_seat(floor, wanted, placed, search=True)
        event(f"can_seat: {yes}")
        if yes:
            assert rearrangement_exists(floor, placed, new)
        if isinstance(plan_v3(floor, wanted, placed, repack_budget_ms=0), Plan):
            assert yes
