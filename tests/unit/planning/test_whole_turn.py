"""A late party's whole turn found after it sat down (planning/whole_turn.py): the bookings in
the way move only when every one of them can be placed, never onto tables a booking still
waiting for tables needs, and never past a booking that cannot move."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from seatflow.domain.floor import FloorPlan
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Move, Occupant, Plan, PlanFailure, PlanRequest
from seatflow.planning.whole_turn import clear_way
from unit.planning.kit import at, make_floor, occupant, request, table

TWO_FOURS = make_floor([table("A", 4), table("B", 4)])

#: Seated at -30 on A, kept until 60; its whole turn runs to 90.
LATE = occupant("late", ["A"], -30, 60, party=4, movable=False)


def planner(floor: FloorPlan, req: PlanRequest, others: Sequence[Occupant]) -> Plan | PlanFailure:
    return plan_v3(floor, req, others, repack_budget_ms=500)


def test_the_next_booking_moves_to_a_free_table() -> None:
    """The four due at 60 on A can sit on B instead: it moves, and that is all."""
    nxt = occupant("next", ["A"], 60, 180, party=4)
    moves = clear_way(TWO_FOURS, LATE, at(90), [LATE, nxt], planner)
    assert moves == (Move(booking_id="next", from_tables=("A",), to_tables=("B",)),)


def test_nothing_in_the_way_needs_no_move() -> None:
    """Nobody holds A after 60: the turn is given with no move."""
    assert clear_way(TWO_FOURS, LATE, at(90), [LATE], planner) == ()


def test_no_move_when_the_booking_in_the_way_cannot_be_placed() -> None:
    """B is held too: the four due at 60 has nowhere else, so nothing moves."""
    nxt = occupant("next", ["A"], 60, 180, party=4)
    other = occupant("other", ["B"], 0, 200, party=4, movable=False)
    assert clear_way(TWO_FOURS, LATE, at(90), [LATE, nxt, other], planner) is None


def test_a_booking_that_cannot_move_blocks_the_turn() -> None:
    """A pinned booking (or a block) in the way: never moved, so the turn is not given."""
    pinned = occupant("pinned", ["A"], 60, 180, party=4, movable=False)
    assert clear_way(TWO_FOURS, LATE, at(90), [LATE, pinned], planner) is None


def test_not_onto_tables_a_waiting_booking_needs() -> None:
    """A couple waits for tables at 70: moving the couple due at 60 onto the only other
    two-top would leave it none, so the way is not cleared."""
    floor = make_floor([table("A", 2), table("B", 2)])
    late = occupant("late", ["B"], -30, 60, party=2, movable=False)
    couple = occupant("couple", ["B"], 60, 150, party=2)
    waiting = request(2, 70, 160, booking_id="waiting")
    assert clear_way(floor, late, at(90), [late, couple], planner) is not None
    assert clear_way(floor, late, at(90), [late, couple], planner, [waiting]) is None


@pytest.mark.parametrize(("seated_until", "cleared"), [(70, True), (80, False)])
def test_a_waiting_party_may_sit_within_its_grace(seated_until: int, cleared: bool) -> None:
    """The next four moves to B, where a four waiting for 60 could have sat; C frees at
    `seated_until`. Within the waiting party's 15 minutes of grace, it still has a table
    after the move, and the way is cleared; later than that, it would not, and it is not."""
    floor = make_floor([table("A", 4), table("B", 4), table("C", 4)])
    nxt = occupant("next", ["A"], 60, 180, party=4)
    seated = occupant("seated", ["C"], -60, seated_until, party=4, movable=False)
    waiting = request(4, 60, 180, booking_id="waiting")
    moves = clear_way(
        floor, LATE, at(90), [LATE, nxt, seated], planner, [waiting], timedelta(minutes=15)
    )
    assert (moves is not None) is cleared
