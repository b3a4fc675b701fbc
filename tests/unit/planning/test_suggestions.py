"""Review-queue suggestions: free sets ranked by the planners' cost, then sets needing moves."""

from __future__ import annotations

from seatflow.planning.suggestions import suggestions
from unit.planning.kit import make_floor, occupant, request, table

FLOOR = make_floor(
    [table("A", 2), table("B", 4), table("C", 4), table("D", 6, min_party=3)],
    [("B", "C")],
)


def test_free_sets_come_best_first_and_move_nobody() -> None:
    """For four guests the snug free table outranks a bigger one and joined tables."""
    ranked = suggestions(FLOOR, request(4), [])
    assert [s.tables for s in ranked][:3] == [("B",), ("C",), ("D",)]
    assert ("B", "C") in [s.tables for s in ranked]
    assert all(s.free and s.score is not None for s in ranked)
    scores = [s.score for s in ranked if s.score is not None]
    assert scores == sorted(scores, reverse=True)


def test_taken_tables_are_offered_only_with_the_bookings_they_would_move() -> None:
    """B taken by a movable booking: B is not free, it is listed as moving that booking."""
    ranked = suggestions(FLOOR, request(4), [occupant("x", ["B"], 0, 120)])
    free = [s.tables for s in ranked if s.free]
    assert ("B",) not in free and ("B", "C") not in free
    moving = {s.tables: s.moves for s in ranked if not s.free}
    assert moving[("B",)] == ("x",)
    assert moving[("B", "C")] == ("x",)


def test_a_fixed_occupant_is_never_suggested_to_move() -> None:
    """Seated or pinned guests (not movable) take their tables off the list altogether."""
    ranked = suggestions(FLOOR, request(4), [occupant("x", ["B"], 0, 120, movable=False)])
    assert all("B" not in s.tables for s in ranked)


def test_an_occupant_outside_the_window_blocks_nothing() -> None:
    """A booking that ends before the request starts leaves its table free."""
    ranked = suggestions(FLOOR, request(4, 180, 300), [occupant("x", ["B"], 0, 120)])
    assert ranked[0].tables == ("B",) and ranked[0].free


def test_the_booking_itself_is_not_an_obstacle() -> None:
    """The request's own (stale) occupancy is ignored."""
    ranked = suggestions(FLOOR, request(4, booking_id="me"), [occupant("me", ["B"], 0, 120)])
    assert ranked[0].tables == ("B",) and ranked[0].free


def test_limit_caps_each_group() -> None:
    """At most `limit` free sets and at most `limit` sets needing moves."""
    ranked = suggestions(FLOOR, request(2), [], limit=2)
    assert len(ranked) == 2
