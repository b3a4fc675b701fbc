"""What a V3 claim decides before any planning: whether this invocation has anything to do.

The coordinator's first round trip returns the claim (advisory lock, booking row, restaurant,
permit slot). From it alone follows whether the invocation ends here — the lock is another
run's, the booking is settled or gone, V3 is not on for its restaurant, a lost race was already
superseded, no permit is free — and which of the lock and permit events a first claim reports.
Kept apart from the coordinator so those rules read in one place.
"""

from __future__ import annotations

from datetime import timedelta

from seatflow.domain.states import TERMINAL_STATUSES, AssignmentState, BookingStatus
from seatflow.pipeline.flags import PipelineFlags
from seatflow.pipeline.invocation import LostRace
from seatflow.pipeline.outcome import Outcome
from seatflow.pipeline.telemetry import CoordinatorTelemetry, EventType
from seatflow.store.bookings import BookingRecord, Claim

__all__ = [
    "LOCK_CONTENTION_DELAY",
    "RATE_LIMIT_DELAY",
    "RETRIGGERS",
    "claim_refusal",
    "skip_reason",
    "unassignable",
]

S = AssignmentState
RATE_LIMIT_DELAY = timedelta(seconds=1)
LOCK_CONTENTION_DELAY = timedelta(seconds=1)
#: Triggers that run a booking again even when it is settled (confirmed or in review).
RETRIGGERS = frozenset({"modification", "requeue", "manual"})


def claim_refusal(
    claim: Claim,
    trigger: str,
    flags: PipelineFlags,
    telemetry: CoordinatorTelemetry,
    lost_race: LostRace | None,
    *,
    first: bool,
) -> Outcome | None:
    """The no-op or retry a claim ends the invocation with (lock taken, nothing to do,
    superseded, no permit), or None to go on; the lock and permit events of a first claim."""
    if not claim.locked:
        telemetry.event(EventType.LOCK_CONTENTION, severity="warning")
        return Outcome.noop("lock_contention", LOCK_CONTENTION_DELAY)
    if first:
        telemetry.event(EventType.LOCK_ACQUIRED)
    if claim.booking is not None:
        telemetry.bind(restaurant_id=claim.booking.restaurant_id)
    skip = unassignable(claim, trigger, flags)
    if skip is not None:
        return Outcome.noop(skip)
    assert claim.booking is not None  # unassignable said so
    if lost_race is not None:
        stale = claim.booking.version != lost_race.version
        return Outcome.noop("superseded") if stale else None
    if claim.permit is None:
        return Outcome.retry("rate_limited", RATE_LIMIT_DELAY)
    if first:
        telemetry.event(EventType.RATE_PERMIT_ACQUIRED, slot=claim.permit)
    return None


def unassignable(claim: Claim, trigger: str, flags: PipelineFlags) -> str | None:
    """Why a claim leaves this invocation nothing to do (its no-op's reason), or None."""
    if not claim.locked:
        return "lock_contention"
    booking = claim.booking
    if booking is None:
        return "booking_not_found"
    skip = skip_reason(booking, trigger)
    if skip is not None:
        return skip
    if not flags.v3_enabled_for(claim.restaurant_slug or "", booking.restaurant_id):
        return "pipeline_disabled"
    return None


def skip_reason(booking: BookingRecord, trigger: str) -> str | None:
    """A booking this trigger must leave alone: cancelled, finished, settled, or in flight."""
    if booking.status is BookingStatus.CANCELLED:
        return "cancelled"
    if booking.status in TERMINAL_STATUSES:
        return "terminal_state"
    settled = booking.assignment_state in (S.CONFIRMED, S.MANUAL_REVIEW)
    if settled and trigger not in RETRIGGERS:
        return "terminal_state"
    if booking.assignment_state in (S.ASSIGNMENT_IN_PROGRESS, S.ASSIGNED):
        return "in_flight"  # a dead worker's leftovers; the recovery sweep returns them
    return None
