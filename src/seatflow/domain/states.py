"""Booking statuses and assignment states, with the one transition table every flow obeys.

PostgreSQL enforces the same state names with CHECK constraints (see the migrations).
"""

from __future__ import annotations

from enum import StrEnum


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    SEATED = "seated"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


#: A booking in one of these is past assignment: nothing may change its tables.
TERMINAL_STATUSES = frozenset(
    {BookingStatus.CANCELLED, BookingStatus.SEATED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW}
)


class AssignmentState(StrEnum):
    CREATED = "created"
    CAPACITY_VERIFIED = "capacity_verified"
    ASSIGNMENT_PENDING = "assignment_pending"
    ASSIGNMENT_IN_PROGRESS = "assignment_in_progress"
    ASSIGNED = "assigned"
    CONFIRMED = "confirmed"
    MANUAL_REVIEW = "manual_review"
    FAILED = "failed"
    CANCELLED = "cancelled"


S = AssignmentState

#: Allowed moves. Staff and modifications bring bookings back to ``assignment_pending``; the
#: recovery sweep returns in-flight states there. ``cancelled`` is where a cancellation sends a
#: booking from any other state, and nothing leaves it: a cancellation is not a failure.
#: ``failed`` is an exit no flow takes since cancellation got its own state (migration 0005).
TRANSITIONS: dict[AssignmentState, frozenset[AssignmentState]] = {
    S.CREATED: frozenset({S.CAPACITY_VERIFIED, S.MANUAL_REVIEW, S.FAILED, S.CANCELLED}),
    S.CAPACITY_VERIFIED: frozenset({S.ASSIGNMENT_PENDING, S.MANUAL_REVIEW, S.FAILED, S.CANCELLED}),
    S.ASSIGNMENT_PENDING: frozenset(
        {S.ASSIGNMENT_IN_PROGRESS, S.CONFIRMED, S.MANUAL_REVIEW, S.FAILED, S.CANCELLED}
    ),
    S.ASSIGNMENT_IN_PROGRESS: frozenset(
        {S.ASSIGNED, S.ASSIGNMENT_PENDING, S.MANUAL_REVIEW, S.FAILED, S.CANCELLED}
    ),
    S.ASSIGNED: frozenset(
        {S.CONFIRMED, S.ASSIGNMENT_PENDING, S.MANUAL_REVIEW, S.FAILED, S.CANCELLED}
    ),
    S.CONFIRMED: frozenset({S.ASSIGNMENT_PENDING, S.FAILED, S.CANCELLED}),
    S.MANUAL_REVIEW: frozenset({S.CONFIRMED, S.ASSIGNMENT_PENDING, S.FAILED, S.CANCELLED}),
    S.FAILED: frozenset({S.ASSIGNMENT_PENDING, S.CANCELLED}),
    S.CANCELLED: frozenset(),
}

#: States a dead worker can leave behind; the recovery sweep returns them to pending.
IN_FLIGHT_STATES = frozenset({S.ASSIGNMENT_IN_PROGRESS, S.ASSIGNED})


def can_transition(current: AssignmentState, target: AssignmentState) -> bool:
    return target in TRANSITIONS[current]
