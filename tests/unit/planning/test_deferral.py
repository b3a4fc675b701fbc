"""Guests at the door before guests on their way (planning/deferral.py): an absent party may be
moved onto a table that frees within its grace so that the party at the door sits now — with the
least delay, never past the grace, and never a seated party or a table block."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from seatflow.domain.floor import FloorPlan
from seatflow.planning.deferral import seat_deferring
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Move, Occupant, Plan, PlanFailure, PlanRequest
from unit.planning.kit import at, make_floor, occupant, request, table

GRACE = timedelta(minutes=15)
TWO_TWOS = make_floor([table("A", 2), table("B", 2)])


def planner(floor: FloorPlan, req: PlanRequest, others: Sequence[Occupant]) -> Plan | PlanFailure:
    return plan_v3(floor, req, others, repack_budget_ms=500)


def _door(occupants: list[Occupant]) -> object:
    """The couple at the door at 18:00 (minute 0) for a 90-minute turn plus buffer."""
    return seat_deferring(
        TWO_TWOS, request(2, 0, 105), occupants, now=at(0), grace=GRACE, planner=planner
    )


def test_the_absent_couple_waits_for_the_table_that_frees_within_its_grace() -> None:
    """A is booked by a couple not here yet; B frees at 18:07. The couple at the door sits on A
    now; the absent one gets B from 18:07, its turn kept whole."""
    sitting = occupant("S", ["B"], -100, 7, movable=False)
    absent = occupant("X", ["A"], 0, 105)
    deferred = _door([sitting, absent])
    assert deferred is not None
    assert deferred.plan.tables == ("A",)
    assert deferred.plan.moves == (Move(booking_id="X", from_tables=("A",), to_tables=("B",)),)
    assert deferred.windows == {"X": (at(7), at(112))}


def test_nobody_waits_past_their_grace() -> None:
    """B frees at 18:20, after the absent couple's grace: the party at the door is not seated."""
    sitting = occupant("S", ["B"], -100, 20, movable=False)
    assert _door([sitting, occupant("X", ["A"], 0, 105)]) is None


def test_a_seated_party_is_never_the_one_delayed() -> None:
    """Only seated parties hold the tables: there is nobody to delay."""
    seated = [
        occupant("S", ["A"], -10, 95, movable=False),
        occupant("T", ["B"], -100, 7, movable=False),
    ]
    assert _door(seated) is None


def test_a_broken_table_is_not_moved_aside() -> None:
    """A table block is an immovable occupant: it is not delayed like a party."""
    block = occupant("block:1", ["A"], -30, 200, party=1, movable=False)
    sitting = occupant("S", ["B"], -100, 7, movable=False)
    assert _door([block, sitting]) is None


def test_nobody_moved_keeps_the_booked_window() -> None:
    """A table free for the party at the door: the absent couple stays where and when it was
    booked (only a moved party gets a window of its own)."""
    absent = occupant("X", ["A"], 0, 105)
    calls: list[int] = []

    def counting(
        floor: FloorPlan, req: PlanRequest, others: Sequence[Occupant]
    ) -> Plan | PlanFailure:
        calls.append(1)
        return planner(floor, req, others)

    deferred = seat_deferring(
        TWO_TWOS, request(2, 0, 105), [absent], now=at(0), grace=GRACE, planner=counting
    )
    assert deferred is not None and deferred.plan.tables == ("B",) and deferred.windows == {}
    assert len(calls) == 1
