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


S = AssignmentState

#: Allowed moves. ``failed`` is where cancellation sends a booking; staff and modifications bring
#: bookings back to ``assignment_pending``; the recovery sweep returns in-flight states there.
TRANSITIONS: dict[AssignmentState, frozenset[AssignmentState]] = {
    S.CREATED: frozenset({S.CAPACITY_VERIFIED, S.MANUAL_REVIEW, S.FAILED}),
    S.CAPACITY_VERIFIED: frozenset({S.ASSIGNMENT_PENDING, S.MANUAL_REVIEW, S.FAILED}),
    S.ASSIGNMENT_PENDING: frozenset(
        {S.ASSIGNMENT_IN_PROGRESS, S.CONFIRMED, S.MANUAL_REVIEW, S.FAILED}
    ),
    S.ASSIGNMENT_IN_PROGRESS: frozenset(
        {S.ASSIGNED, S.ASSIGNMENT_PENDING, S.MANUAL_REVIEW, S.FAILED}
    ),
    S.ASSIGNED: frozenset({S.CONFIRMED, S.ASSIGNMENT_PENDING, S.MANUAL_REVIEW, S.FAILED}),
    S.CONFIRMED: frozenset({S.ASSIGNMENT_PENDING, S.FAILED}),
    S.MANUAL_REVIEW: frozenset({S.CONFIRMED, S.ASSIGNMENT_PENDING, S.FAILED}),
    S.FAILED: frozenset({S.ASSIGNMENT_PENDING}),
}

#: States a dead worker can leave behind; the recovery sweep returns them to pending.
IN_FLIGHT_STATES = frozenset({S.ASSIGNMENT_IN_PROGRESS, S.ASSIGNED})


def can_transition(current: AssignmentState, target: AssignmentState) -> bool:
    return target in TRANSITIONS[current]
