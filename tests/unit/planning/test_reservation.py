"""Acceptance planning: a request is promised only if it and every unplaced booking fit together."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from seatflow.domain.combinations import combinations_for
from seatflow.domain.floor import FloorPlan
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest
from seatflow.planning.reservation import GREEDY, JOINT, reserve_legacy, reserve_v3
from unit.planning.kit import make_floor, occupant, request, table

TWO_TWOS_AND_FOUR = make_floor([table("A", 2), table("A2", 2), table("B", 4)])
TWO_AND_FOUR = make_floor([table("A", 2), table("B", 4)])


def unplaced(booking_id: str, party: int, start: int = 0, end: int = 120) -> PlanRequest:
    return request(party, start, end, booking_id=booking_id)


def test_an_unplaced_booking_takes_its_room() -> None:
    """Two unplaced pairs fill both small tables; a third pair fits only on the four-top."""
    waiting = [unplaced("u1", 2), unplaced("u2", 2)]
    result = reserve_v3(TWO_TWOS_AND_FOUR, request(2), waiting, [], budget_ms=500)
    assert isinstance(result, Plan) and result.strategy == GREEDY
    assert result.tables == ("B",)


def test_refuses_when_the_unplaced_fill_the_floor() -> None:
    """Three unplaced bookings on three tables: a fourth at the same time is no_capacity."""
    waiting = [unplaced("u1", 2), unplaced("u2", 2), unplaced("u3", 4)]
    result = reserve_v3(TWO_TWOS_AND_FOUR, request(2), waiting, [], budget_ms=500)
    assert result == PlanFailure(reason="no_capacity")


def test_re_packs_movable_occupants_jointly() -> None:
    """Greedy cannot seat the four while a movable pair sits on B; moving it to A2 can."""
    sitting = [occupant("x", ["B"], 0, 120)]
    result = reserve_v3(
        TWO_TWOS_AND_FOUR, request(4, 60, 180), [unplaced("u", 2)], sitting, budget_ms=2000
    )
    assert isinstance(result, Plan) and result.strategy == JOINT
    assert result.tables == ("B",)


def test_never_moves_a_fixed_occupant() -> None:
    """The same floor with the pair seated (not movable) has no room for the four."""
    sitting = [occupant("x", ["B"], 0, 120, movable=False)]
    result = reserve_v3(
        TWO_TWOS_AND_FOUR, request(4, 60, 180), [unplaced("u", 2)], sitting, budget_ms=2000
    )
    assert result == PlanFailure(reason="no_capacity")


def test_no_budget_means_greedy_only() -> None:
    """With no search budget, what greedy cannot seat is refused."""
    sitting = [occupant("x", ["B"], 0, 120)]
    result = reserve_v3(
        TWO_TWOS_AND_FOUR, request(4, 60, 180), [unplaced("u", 2)], sitting, budget_ms=0
    )
    assert result == PlanFailure(reason="no_capacity")


def test_an_oversold_hour_elsewhere_does_not_refuse() -> None:
    """Unplaced bookings that cannot touch the request's window are left out of its question."""
    late = [unplaced(f"late{k}", 4, 400, 520) for k in range(3)]  # three fours, one four-top
    result = reserve_v3(TWO_AND_FOUR, request(4), late, [], budget_ms=500)
    assert isinstance(result, Plan)


def test_the_request_itself_is_not_its_own_rival() -> None:
    """A modified booking still listed as unplaced does not compete with its new request."""
    result = reserve_v3(
        TWO_AND_FOUR, request(4, booking_id="me"), [unplaced("me", 4)], [], budget_ms=500
    )
    assert isinstance(result, Plan)


def test_legacy_replays_the_unplaced_in_creation_order() -> None:
    """The legacy planner places u1 on A, u2 on B: no free table is left for a third pair."""
    waiting = [unplaced("u1", 2), unplaced("u2", 2)]
    assert reserve_legacy(TWO_AND_FOUR, request(2), waiting, []) == PlanFailure(
        reason="no_capacity"
    )


def test_legacy_cannot_re_pack() -> None:
    """Where V3 would move a pair, the legacy route refuses."""
    sitting = [occupant("x", ["B"], 0, 120)]
    result = reserve_legacy(TWO_TWOS_AND_FOUR, request(4, 60, 180), [unplaced("u", 2)], sitting)
    assert result == PlanFailure(reason="no_capacity")


def test_legacy_skips_an_unplaceable_booking() -> None:
    """An unplaced booking the legacy planner cannot seat takes no table from the request."""
    waiting = [unplaced("big", 4), unplaced("big2", 4)]
    result = reserve_legacy(TWO_AND_FOUR, request(2), waiting, [])
    assert isinstance(result, Plan) and result.tables == ("A",)


# --- the property: what is accepted has a valid joint seating, and what has one is accepted ---

FLOORS = [
    TWO_TWOS_AND_FOUR,
    make_floor([table("A", 2), table("B", 2), table("C", 4)], [("A", "B"), ("B", "C")]),
    make_floor([table("A", 4), table("B", 4), table("T", 2, combinable=False)], [("A", "B")]),
]


def seatable(
    floor: FloorPlan, wanted: Sequence[PlanRequest], occupants: Sequence[Occupant]
) -> bool:
    """Brute force, from the domain's combinations: every wanted booking and every movable
    occupant gets a valid combination, fixed occupants keep theirs, no table is shared by two
    bookings whose windows overlap."""
    fixed = [(o.start, o.end, set(o.tables)) for o in occupants if not o.movable]
    todo = [(w.party_size, w.start, w.end) for w in wanted]
    todo += [(o.party_size, o.start, o.end) for o in occupants if o.movable]
    todo.sort(key=lambda item: item[1])

    def place(k: int, taken: list[tuple[object, object, set[str]]]) -> bool:
        if k == len(todo):
            return True
        party, start, end = todo[k]
        for combo in combinations_for(floor, party):
            tables = set(combo.tables)
            clash = any(s < end and start < e and t & tables for s, e, t in taken)  # type: ignore[operator]
            if not clash and place(k + 1, [*taken, (start, end, tables)]):
                return True
        return False

    return place(0, list(fixed))


windows = st.tuples(st.integers(0, 6), st.integers(1, 4)).map(
    lambda p: (p[0] * 30, p[0] * 30 + p[1] * 30)
)


@st.composite
def situations(draw: st.DrawFn) -> tuple[FloorPlan, PlanRequest, list[PlanRequest], list[Occupant]]:
    floor = draw(st.sampled_from(FLOORS))
    keys = [t.key for t in floor.tables]
    waiting = []
    for k in range(draw(st.integers(0, 4))):
        start, end = draw(windows)
        waiting.append(unplaced(f"u{k}", draw(st.integers(1, 6)), start, end))
    sitting = []
    for k in range(draw(st.integers(0, 3))):
        start, end = draw(windows)
        key = draw(st.sampled_from(keys))
        seated = occupant(f"o{k}", [key], start, end, movable=draw(st.booleans()))
        if not any(
            o.tables == seated.tables and o.start < seated.end and seated.start < o.end
            for o in sitting
        ):
            sitting.append(seated)  # as in the database: no table held twice at once
    start, end = draw(windows)
    return floor, request(draw(st.integers(1, 6)), start, end), waiting, sitting


@settings(max_examples=150, deadline=None)
@given(situations())
def test_accepts_exactly_what_has_a_joint_seating(
    case: tuple[FloorPlan, PlanRequest, list[PlanRequest], list[Occupant]],
) -> None:
    """Accepted iff the request, the unplaced in its component and the occupants can be seated."""
    floor, wanted, waiting, sitting = case
    result = reserve_v3(floor, wanted, waiting, sitting, budget_ms=5000)
    if isinstance(result, Plan):
        # Accepted: a joint seating of everything must exist (when the unplaced alone fit).
        if seatable(floor, waiting, sitting):
            assert seatable(floor, [*waiting, wanted], sitting)
    elif seatable(floor, [*waiting, wanted], sitting):
        raise AssertionError(f"refused ({result.reason}) although everything can be seated")
