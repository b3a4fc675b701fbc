"""Seating at the door (planning/seating.py): a party keeps its own free tables, else takes other
free ones, else the not-yet-seated bookings are re-packed; a late party keeps its own tables
until its booked end; and the earliest time a fitting set frees. Seated parties and blocks are
non-movable occupants."""

from __future__ import annotations

import pytest

from seatflow.planning.model import Move, Occupant, Plan, PlanFailure
from seatflow.planning.seating import KEPT, earliest_free, own_window, seat_now
from unit.planning.kit import at, make_floor, occupant, request, table

BUDGET = 500
TWO_FOURS = make_floor([table("A", 4), table("B", 4)])
SMALL_AND_LARGE = make_floor([table("A", 2), table("B", 4)])


# --- seat_now ---------------------------------------------------------------------------------


def test_keeps_its_own_tables_when_they_are_free() -> None:
    """A party whose assigned tables are free for its turn from now sits on them, as booked."""
    plan = seat_now(TWO_FOURS, request(2), [], current=("B",), repack_budget_ms=BUDGET)
    assert plan == Plan(tables=("B",), strategy=KEPT, score=0.0)


def test_its_own_record_does_not_count_against_it() -> None:
    """The party's own occupancy of its tables is not someone else's: it still keeps them."""
    own = occupant("new", ["B"], 0, 120, party=2)
    plan = seat_now(TWO_FOURS, request(2), [own], current=("B",), repack_budget_ms=BUDGET)
    assert isinstance(plan, Plan) and plan.tables == ("B",) and plan.strategy == KEPT


def test_takes_other_free_tables_when_its_own_are_held() -> None:
    """Someone still sitting on its tables: the party is seated on the other free table."""
    sitting = occupant("S", ["B"], -60, 30, movable=False)
    plan = seat_now(TWO_FOURS, request(2), [sitting], current=("B",), repack_budget_ms=BUDGET)
    assert isinstance(plan, Plan)
    assert plan.tables == ("A",) and plan.strategy != KEPT and plan.moves == ()


def test_does_not_keep_tables_that_no_longer_seat_the_party() -> None:
    """A party that grew since it was assigned is not kept on a table too small for it."""
    plan = seat_now(SMALL_AND_LARGE, request(4), [], current=("A",), repack_budget_ms=BUDGET)
    assert isinstance(plan, Plan) and plan.tables == ("B",) and plan.strategy != KEPT


def test_re_packs_a_later_booking_to_seat_the_party_now() -> None:
    """Only B seats four and a not-yet-seated couple holds it: the couple moves to A."""
    couple = occupant("C", ["B"], 30, 150, party=2)
    plan = seat_now(SMALL_AND_LARGE, request(4), [couple], repack_budget_ms=BUDGET)
    assert isinstance(plan, Plan) and plan.tables == ("B",)
    assert plan.moves == (Move(booking_id="C", from_tables=("B",), to_tables=("A",)),)


@pytest.mark.parametrize(
    ("holder", "why"),
    [
        (occupant("S", ["B"], -60, 30, party=2, movable=False), "a seated party"),
        (occupant("X", ["B"], 30, 150, party=4), "a booking with nowhere else to go"),
    ],
)
def test_fails_when_nothing_seats_the_party(holder: Occupant, why: str) -> None:
    """When the only fitting table is held by someone who cannot (or has nowhere to) move."""
    plan = seat_now(SMALL_AND_LARGE, request(4), [holder], repack_budget_ms=BUDGET)
    assert isinstance(plan, PlanFailure), why


# --- own_window -----------------------------------------------------------------------------


def test_own_window_is_the_whole_turn_when_the_tables_are_free() -> None:
    late = request(2, 10, 130)
    assert own_window(TWO_FOURS, late, [], current=("B",), booked_end=at(120)) == late


def test_a_late_party_keeps_its_tables_until_its_booked_end() -> None:
    """The next booking on B starts at the booked end: the party keeps B until then."""
    late = request(2, 10, 130)
    successor = occupant("N", ["B"], 120, 240)
    kept = own_window(TWO_FOURS, late, [successor], current=("B",), booked_end=at(120))
    assert kept is not None and (kept.start, kept.end) == (at(10), at(120))


def test_a_table_broken_later_in_the_turn_is_not_kept() -> None:
    """B is announced out from 125: the party would run into it, so it is not kept on B."""
    late = request(2, 10, 130)
    successor = occupant("N", ["B"], 120, 240)
    block = occupant("block:1", ["B"], 125, 200, movable=False)
    assert (
        own_window(TWO_FOURS, late, [successor, block], current=("B",), booked_end=at(120)) is None
    )


def test_no_window_when_someone_still_sits_on_its_tables() -> None:
    sitting = occupant("S", ["B"], -60, 30, movable=False)
    assert own_window(TWO_FOURS, request(2), [sitting], current=("B",), booked_end=at(120)) is None


# --- earliest_free ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occupants", "expected"),
    [
        ([], 0),  # free now
        ([occupant("S", ["B"], -60, 60, movable=False)], 60),  # frees at 60
        ([occupant("S", ["B"], -60, 62, movable=False)], 65),  # on the five-minute grid
        # A movable booking counts as things stand: the party waits for the gap after it.
        ([occupant("X", ["B"], 20, 100), occupant("Y", ["B"], 250, 400)], 100),
    ],
)
def test_earliest_free_is_the_first_step_a_fitting_set_is_free(
    occupants: list[Occupant], expected: int
) -> None:
    """The first five-minute step from the start at which B is free for the party's whole turn."""
    found = earliest_free(SMALL_AND_LARGE, request(4, 0, 120), occupants, until=at(600))
    assert found == at(expected)


def test_earliest_free_ignores_the_party_itself() -> None:
    """The party's own hold on its tables does not make it wait for itself."""
    own = occupant("new", ["B"], 0, 120, party=4)
    assert earliest_free(SMALL_AND_LARGE, request(4), [own], until=at(600)) == at(0)


@pytest.mark.parametrize(
    ("party", "occupants"),
    [
        (4, [occupant("S", ["B"], -60, 600, movable=False)]),  # held past `until`
        (9, []),  # no set of this floor seats nine
    ],
)
def test_earliest_free_is_none_when_nothing_frees_in_time(
    party: int, occupants: list[Occupant]
) -> None:
    """None when no fitting set is free before `until`, or none exists at all."""
    found = earliest_free(SMALL_AND_LARGE, request(party), occupants, until=at(300))
    assert found is None
