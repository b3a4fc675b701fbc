"""Occupancy windows from the venue policy (rule 1) and the assignment-state transition table."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

import pytest

from seatflow.domain.floor import TurnRule, VenuePolicy
from seatflow.domain.states import (
    IN_FLIGHT_STATES,
    TRANSITIONS,
    AssignmentState,
    can_transition,
)

S = AssignmentState
T0 = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
POLICY = VenuePolicy(
    turn_minutes=(
        TurnRule(max_party=2, minutes=90),
        TurnRule(max_party=4, minutes=105),
        TurnRule(max_party=6, minutes=120),
        TurnRule(max_party=99, minutes=150),
    ),
    buffer_minutes=15,
)


@pytest.mark.parametrize(
    ("party", "turn"),
    [(1, 90), (2, 90), (3, 105), (4, 105), (5, 120), (6, 120), (7, 150), (99, 150)],
)
def test_turn_is_the_first_rule_whose_max_party_fits(party: int, turn: int) -> None:
    """The turn is that of the first row whose max_party is at least the party size."""
    assert POLICY.turn_for(party) == turn


def test_first_matching_rule_wins_in_the_given_order() -> None:
    """Rules are read in order: an earlier wider rule shadows a later narrower one."""
    policy = VenuePolicy(
        turn_minutes=(TurnRule(max_party=6, minutes=120), TurnRule(max_party=2, minutes=90))
    )
    assert policy.turn_for(2) == 120


def test_party_larger_than_every_rule_takes_the_last_rule() -> None:
    """A party above every max_party falls back to the last row rather than failing."""
    assert POLICY.turn_for(150) == 150


@pytest.mark.parametrize("duration", [30, 90, 240])
def test_duration_overrides_the_turn(duration: int) -> None:
    """An explicit duration_minutes replaces the turn time whatever the party size."""
    assert POLICY.turn_for(8, duration) == duration
    assert POLICY.occupancy(T0, 8, duration) == (T0, T0 + timedelta(minutes=duration + 15))


def test_occupancy_is_start_plus_turn_plus_buffer() -> None:
    """A party of four occupies its tables for 105 minutes of turn plus the 15-minute buffer."""
    assert POLICY.occupancy(T0, 4) == (T0, T0 + timedelta(minutes=120))


def test_occupancy_with_zero_buffer_is_the_turn_alone() -> None:
    """With buffer_minutes 0 the window is exactly the turn."""
    policy = VenuePolicy(turn_minutes=POLICY.turn_minutes, buffer_minutes=0)
    assert policy.occupancy(T0, 2) == (T0, T0 + timedelta(minutes=90))


def _overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Half-open interval overlap, as PostgreSQL's '[)' ranges define it."""
    return a[0] < b[1] and b[0] < a[1]


def test_back_to_back_windows_do_not_clash() -> None:
    """A window that ends when the next starts does not overlap it (half-open intervals)."""
    first = POLICY.occupancy(T0, 2)
    second = POLICY.occupancy(first[1], 2)
    assert first[1] == second[0]
    assert not _overlap(first, second)
    assert _overlap(first, POLICY.occupancy(first[1] - timedelta(minutes=1), 2))


def test_every_state_has_a_transition_entry() -> None:
    """TRANSITIONS has a row for every state and only names known states."""
    assert set(TRANSITIONS) == set(AssignmentState)
    for targets in TRANSITIONS.values():
        assert targets <= set(AssignmentState)


def test_no_state_transitions_to_itself() -> None:
    """A self-transition is never listed: a state change always changes the state."""
    assert all(state not in targets for state, targets in TRANSITIONS.items())


def _reachable(start: AssignmentState) -> set[AssignmentState]:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in TRANSITIONS[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_happy_path_reaches_confirmed_from_created() -> None:
    """created → capacity_verified → pending → in_progress → assigned → confirmed is allowed."""
    path = [
        S.CREATED,
        S.CAPACITY_VERIFIED,
        S.ASSIGNMENT_PENDING,
        S.ASSIGNMENT_IN_PROGRESS,
        S.ASSIGNED,
        S.CONFIRMED,
    ]
    assert all(can_transition(a, b) for a, b in zip(path, path[1:], strict=False))
    assert _reachable(S.CREATED) == set(AssignmentState)


@pytest.mark.parametrize("state", [S.FAILED, S.MANUAL_REVIEW])
def test_failed_and_manual_review_are_not_dead_ends(state: AssignmentState) -> None:
    """failed and manual_review can go back to assignment_pending and so reach confirmed."""
    assert can_transition(state, S.ASSIGNMENT_PENDING)
    assert S.CONFIRMED in _reachable(state)


def test_every_other_state_can_be_cancelled() -> None:
    """A cancellation may come at any point: every state but cancelled moves to cancelled."""
    assert all(
        can_transition(state, S.CANCELLED) for state in AssignmentState if state is not S.CANCELLED
    )


def test_cancelled_is_terminal() -> None:
    """Nothing leaves cancelled: a cancellation is final, not a failure someone retries."""
    assert TRANSITIONS[S.CANCELLED] == frozenset()


def test_in_flight_states_return_to_pending() -> None:
    """The recovery sweep may move every in-flight state back to assignment_pending."""
    assert all(can_transition(state, S.ASSIGNMENT_PENDING) for state in IN_FLIGHT_STATES)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.CREATED, S.CAPACITY_VERIFIED, True),
        (S.CREATED, S.CONFIRMED, False),
        (S.CREATED, S.ASSIGNED, False),
        (S.ASSIGNMENT_PENDING, S.CONFIRMED, True),
        (S.ASSIGNMENT_IN_PROGRESS, S.CONFIRMED, False),
        (S.CONFIRMED, S.CREATED, False),
        (S.FAILED, S.CONFIRMED, False),
        (S.MANUAL_REVIEW, S.CONFIRMED, True),
    ],
)
def test_can_transition_follows_the_table(
    current: AssignmentState, target: AssignmentState, allowed: bool
) -> None:
    """can_transition answers exactly what TRANSITIONS lists."""
    assert can_transition(current, target) is allowed
    assert (target in TRANSITIONS[current]) is allowed


def test_nothing_returns_to_created() -> None:
    """created is only an entry state: no transition leads back to it."""
    assert all(S.CREATED not in targets for targets in TRANSITIONS.values())
