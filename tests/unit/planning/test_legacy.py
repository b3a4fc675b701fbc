"""The legacy planner (best fit, then capped combinations, never a re-pack) and its retries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from seatflow.planning.legacy import (
    LEGACY_RETRY_DELAYS,
    is_hard_failure,
    legacy_next_attempt,
    plan_legacy,
)
from seatflow.planning.model import Plan, PlanFailure
from unit.planning.kit import at, make_floor, occupant, request, table

FLOOR = make_floor(
    [table("A", 2), table("B", 4), table("C", 6, min_party=5), table("D", 2), table("E", 2)],
    [("D", "E"), ("A", "D")],
)


@pytest.mark.parametrize(
    ("party", "busy", "tables", "strategy"),
    [
        (2, [], ("A",), "legacy_best_fit"),  # smallest table that seats the party
        (3, [], ("B",), "legacy_best_fit"),
        (5, [], ("C",), "legacy_best_fit"),
        (2, ["B"], ("A",), "legacy_best_fit"),
        (1, ["A", "D", "E"], ("B",), "legacy_best_fit"),  # C's minimum party is 5
        (4, ["B"], ("A", "D"), "legacy_combination"),  # a pair beats the triple
        (6, ["C"], ("A", "D", "E"), "legacy_combination"),
    ],
)
def test_plan_legacy_picks_best_fit_then_combination(
    party: int, busy: list[str], tables: tuple[str, ...], strategy: str
) -> None:
    """Legacy prefers the tightest single table and falls back to the tightest join."""
    result = plan_legacy(FLOOR, request(party), [occupant("x", busy)] if busy else [])
    assert isinstance(result, Plan)
    assert (result.tables, result.strategy, result.moves) == (tables, strategy, ())


def test_spare_seat_cap_refuses_wasteful_combinations() -> None:
    """A join with more spare seats than the cap is not offered."""
    busy = [occupant("x", ["B", "C"])]
    assert isinstance(plan_legacy(FLOOR, request(3), busy, spare_seat_cap=4), Plan)
    assert plan_legacy(FLOOR, request(3), busy, spare_seat_cap=0) == PlanFailure(
        reason="no_capacity"
    )


def test_legacy_never_repacks() -> None:
    """Where V3 would move a pair off the four-top, legacy simply fails."""
    floor = make_floor([table("A", 2), table("B", 4)])
    busy = [occupant("x", ["B"], 0, 120)]
    assert plan_legacy(floor, request(4, 60, 180), busy) == PlanFailure(reason="no_capacity")


def test_legacy_party_too_large() -> None:
    """A party no combination seats is reported as too large, not as no capacity."""
    assert plan_legacy(FLOOR, request(40), []) == PlanFailure(reason="party_too_large")


START = at(120)


@pytest.mark.parametrize(
    ("attempt_no", "now", "expected"),
    [
        (1, at(0), at(0) + timedelta(seconds=5)),
        (2, at(0), at(0) + timedelta(seconds=15)),
        (3, at(0), at(0) + timedelta(seconds=45)),
        (4, at(0), None),  # out of attempts
        (0, at(0), None),
        (1, START - timedelta(minutes=10), None),  # inside the cutoff
        (1, START - timedelta(minutes=10, seconds=5), None),  # retry would land on the cutoff
        (1, START - timedelta(minutes=10, seconds=6), START - timedelta(minutes=10, seconds=1)),
        (1, START + timedelta(minutes=5), None),  # already started
    ],
)
def test_legacy_next_attempt_schedule_and_cutoff(
    attempt_no: int, now: datetime, expected: datetime | None
) -> None:
    """Retries wait 5, 15, 45 s and never land within 10 minutes of the start."""
    assert legacy_next_attempt(attempt_no, now, START) == expected


def test_retry_delays_are_the_documented_three() -> None:
    """The schedule is exactly three retries."""
    assert LEGACY_RETRY_DELAYS == (5, 15, 45)


@pytest.mark.parametrize(
    ("reason", "hard"),
    [
        ("party_too_large", True),
        ("no_capacity", True),
        ("conflict", False),
        ("timeout", False),
        ("repack_timeout", False),
    ],
)
def test_hard_failures_are_the_ones_no_retry_can_cure(reason: str, hard: bool) -> None:
    """Nothing fits means review now; conflicts and timeouts are worth another try."""
    assert is_hard_failure(reason) is hard


def test_legacy_combination_prefers_fewest_spare_seats() -> None:
    """Between two joins of two tables, the one with fewer spare seats wins."""
    floor = make_floor(
        [table("A", 2), table("B", 4), table("Y", 2), table("Z", 2)], [("A", "B"), ("Y", "Z")]
    )
    result = plan_legacy(floor, request(4), [occupant("x", ["B"], party=1)])
    assert isinstance(result, Plan) and result.tables == ("Y", "Z")
