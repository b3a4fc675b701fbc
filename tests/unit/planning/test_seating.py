"""Seating at the door (planning/seating.py): a party keeps its own free tables, else takes other
free ones, else the not-yet-seated bookings are re-packed; when nothing seats everyone, the set
that displaces the fewest later bookings — never one a seated party or a block holds; and the
earliest time a fitting set frees. Seated parties and blocks are non-movable occupants."""

from __future__ import annotations

import pytest

from seatflow.planning.model import Move, Occupant, Plan, PlanFailure
from seatflow.planning.seating import KEPT, earliest_free, seat_bumping, seat_now
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


# --- seat_bumping -----------------------------------------------------------------------------


def test_bumping_picks_the_set_that_displaces_fewest_later_bookings() -> None:
    """A carries one later booking and B two: the guests at the door take A, bumping one."""
    later = [
        occupant("X", ["A"], 30, 150),
        occupant("Y", ["B"], 30, 100),
        occupant("Z", ["B"], 100, 200),
    ]
    bumping = seat_bumping(TWO_FOURS, request(4), later)
    assert bumping is not None
    assert bumping.plan.tables == ("A",) and bumping.bumped == ("X",)


@pytest.mark.parametrize(
    ("occupants", "current", "chosen"),
    [
        # One later booking on each: their own tables win the tie.
        ([occupant("X", ["A"], 30, 150), occupant("Y", ["B"], 30, 150)], ("B",), ("B",)),
        ([occupant("X", ["A"], 30, 150), occupant("Y", ["B"], 30, 150)], ("A",), ("A",)),
        # Same count, not their own: the fewer covers displaced.
        (
            [occupant("X", ["A"], 30, 150, party=4), occupant("Y", ["B"], 30, 150, party=2)],
            (),
            ("B",),
        ),
        # A booking after the window is not in the way.
        ([occupant("X", ["A"], 30, 150), occupant("Y", ["B"], 150, 250)], (), ("B",)),
    ],
)
def test_bumping_tie_breaks(
    occupants: list[Occupant], current: tuple[str, ...], chosen: tuple[str, ...]
) -> None:
    """Fewest displaced first, then the party's own tables, then the fewest covers displaced."""
    bumping = seat_bumping(TWO_FOURS, request(4), occupants, current=current)
    assert bumping is not None and bumping.plan.tables == chosen


def test_bumping_prefers_the_snugger_set_when_nothing_is_displaced() -> None:
    """Nothing in the way anywhere: the party of two takes the two-top, not the four."""
    bumping = seat_bumping(SMALL_AND_LARGE, request(2), [])
    assert bumping is not None and bumping.plan.tables == ("A",) and bumping.bumped == ()


@pytest.mark.parametrize("kind", ["seated party", "block"])
def test_bumping_never_takes_a_set_a_seated_party_or_block_holds(kind: str) -> None:
    """A is held by someone who cannot move: the guests take B although it bumps a booking."""
    holder = occupant(kind, ["A"], -30, 60, movable=False)
    later = occupant("X", ["B"], 30, 150)
    bumping = seat_bumping(TWO_FOURS, request(4), [holder, later])
    assert bumping is not None
    assert bumping.plan.tables == ("B",) and bumping.bumped == ("X",)


def test_bumping_gives_none_when_every_set_is_held_by_someone_who_cannot_move() -> None:
    """Both tables under seated parties or blocks: there is no set to bump onto."""
    held = [
        occupant("S", ["A"], -30, 60, movable=False),
        occupant("block", ["B"], 60, 90, movable=False),
    ]
    assert seat_bumping(TWO_FOURS, request(4), held) is None


def test_bumping_never_offers_a_set_that_cannot_seat_the_party() -> None:
    """A party of four on a floor of two-tops that do not join: nothing to offer."""
    floor = make_floor([table("A", 2, combinable=False), table("B", 2, combinable=False)])
    assert seat_bumping(floor, request(4), []) is None


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
