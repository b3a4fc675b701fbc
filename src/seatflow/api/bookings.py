"""Booking use cases behind the HTTP routes: create, read, modify, cancel.

Each write is one transaction: the availability check, the booking row, its state changes and the
job that will assign it commit together or not at all. State-machine events are announced only
after the commit, so nothing is reported that did not happen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import UUID

import structlog

from seatflow.api.acceptance import reserved
from seatflow.api.auth import Scope, owned_booking
from seatflow.api.availability import plan_request
from seatflow.api.errors import ApiError
from seatflow.api.rules import rules_for
from seatflow.api.schemas import BookingIn, BookingOut, BookingPatch
from seatflow.api.settle import settle
from seatflow.api.state import ApiState
from seatflow.api.validation import check_party, check_start, check_zone, invalid
from seatflow.api.views import booking_view, created_view
from seatflow.domain.states import TERMINAL_STATUSES, AssignmentState, BookingStatus
from seatflow.pipeline.cancellation import cancel
from seatflow.pipeline.handback import back_to_pending, path_to_pending
from seatflow.planning.model import PlanRequest
from seatflow.store.bookings import BookingRecord, NewBooking, Transition, require_booking
from seatflow.store.creation import create_walked
from seatflow.store.database import Connection, is_unavailable
from seatflow.store.reschedule import reschedule_booking

__all__ = [
    "cancel_booking",
    "create_booking",
    "ensure_open",
    "modify_booking",
    "read_booking",
    "reloaded_view",
]

S = AssignmentState
log = structlog.get_logger(__name__)
#: How long the read after a commit may wait for a connection before the committed view answers.
READ_BACK_SECONDS = 5.0

#: Runs in the create's transaction once the booking is written (an idempotency key's claim).
Claim = Callable[[Connection, UUID], Awaitable[None]]


async def create_booking(
    state: ApiState,
    scope: Scope,
    body: BookingIn,
    wait_ms: int | None,
    *,
    claim: Claim | None = None,
) -> BookingOut:
    plan, now = scope.floor.plan, state.clock.now()
    check_party(plan, body.party_size)
    check_start(body.start_at, now)
    check_zone(plan, body.zone_preference)
    rules = await rules_for(state, scope)
    request = plan_request(
        plan,
        start=body.start_at,
        party_size=body.party_size,
        zone_preference=body.zone_preference,
        rules=rules,
    )
    new = _new_booking(scope, body, request, now)

    async def enqueue(conn: Connection, booking_id: UUID) -> None:
        await state.queue.enqueue(conn, booking_id, "creation", new_booking=True)

    async def write(conn: Connection) -> tuple[BookingRecord, tuple[Transition, ...]]:
        written = await create_walked(
            conn,
            new,
            path_to_pending(AssignmentState.CREATED),
            actor=scope.principal.actor,
            reason="availability checked",
            enqueue=enqueue,
        )
        if claim is not None:
            await claim(conn, written[0].id)
        return written

    record, steps = await reserved(state, scope, request, now, write, rules=rules, pipelined=True)
    committed = created_view(record, steps, scope.slug)
    state.announce(steps)
    return await reloaded_view(state, scope, committed, "creation", wait_ms)


def _new_booking(scope: Scope, body: BookingIn, request: PlanRequest, now: datetime) -> NewBooking:
    """The row a create writes: the request as planned, and the guest's contact as given."""
    guest = body.guest
    return NewBooking(
        restaurant_id=scope.floor.restaurant_id,
        party_size=request.party_size,
        start_at=request.start,
        end_at=request.end,
        zone_preference=request.zone_preference,
        requested_at=now,
        guest_name=guest.name if guest else None,
        guest_phone=guest.phone if guest else None,
        guest_email=guest.email if guest else None,
    )


async def read_booking(state: ApiState, scope: Scope, booking_id: UUID) -> BookingOut:
    async with state.pool.connection() as conn, conn.transaction():
        booking = await owned_booking(conn, scope, booking_id)
        return await booking_view(conn, booking, scope.slug)


async def modify_booking(
    state: ApiState, scope: Scope, booking_id: UUID, patch: BookingPatch, wait_ms: int | None
) -> BookingOut:
    """New time and/or party: re-checked (the booking's own tables count as free), its tables
    released, and back to `assignment_pending` for the pipeline to seat it again."""
    plan, now = scope.floor.plan, state.clock.now()
    if patch.party_size is None and patch.start_at is None:
        raise invalid("body", "give start_at, party_size or both")
    if patch.party_size is not None:
        check_party(plan, patch.party_size)
    if patch.start_at is not None:
        check_start(patch.start_at, now)
    async with state.pool.connection() as conn, conn.transaction():
        booking = ensure_open(await owned_booking(conn, scope, booking_id))
    rules = await rules_for(state, scope)
    request = plan_request(
        plan,
        start=patch.start_at or booking.start_at,
        party_size=patch.party_size or booking.party_size,
        zone_preference=booking.zone_preference,
        booking_id=str(booking.id),
        rules=rules,
    )

    async def write(conn: Connection) -> tuple[BookingOut, tuple[Transition, ...]]:
        locked = ensure_open(await owned_booking(conn, scope, booking_id, for_update=True))
        moved = await reschedule_booking(
            conn,
            locked,
            party_size=request.party_size,
            start_at=request.start,
            end_at=request.end,
        )
        steps = await back_to_pending(conn, moved, now, actor=scope.principal.actor, why="modified")
        await state.queue.enqueue(conn, moved.id, "modification")
        view = await booking_view(conn, steps[-1].booking if steps else moved, scope.slug)
        return view, steps

    committed, steps = await reserved(
        state, scope, request, now, write, rules=rules, exclude=booking.id
    )
    state.announce(steps)
    return await reloaded_view(state, scope, committed, "modification", wait_ms)


async def cancel_booking(state: ApiState, scope: Scope, booking_id: UUID) -> BookingOut:
    """Cancelled, tables and unconfirmed holds released, state `cancelled` — its own terminal
    state, never a failure.

    Cancelling a cancelled booking is a no-op; a seated, completed or no-show booking is closed.
    """
    async with state.pool.connection() as conn, conn.transaction():
        booking = await owned_booking(conn, scope, booking_id, for_update=True)
        if booking.status is not BookingStatus.CANCELLED:
            ensure_open(booking)
        steps = await cancel(conn, booking, now=state.clock.now(), actor=scope.principal.actor)
        if steps:
            booking = steps[-1].booking
        view = await booking_view(conn, booking, scope.slug)
    state.announce(steps)
    return view


def ensure_open(booking: BookingRecord) -> BookingRecord:
    if booking.status in TERMINAL_STATUSES:
        raise ApiError(
            409, "booking_closed", f"the booking is {booking.status.value}", field="booking_id"
        )
    return booking


async def reloaded_view(
    state: ApiState, scope: Scope, committed: BookingOut, trigger: str, wait_ms: int | None
) -> BookingOut:
    """After the commit: the inline run when asked for, then the booking as it now stands.
    Without one the committed view answers as it is: reading it again would cost a transaction
    and tell the client nothing it asked about.

    The write is done: a database that fails the read-back does not turn it into an error
    (a client that retried would book twice), so `committed` — the booking as the transaction
    left it, built before its COMMIT — answers instead."""
    if not wait_ms:  # nothing ran since the commit that this request must report
        return committed
    assignment = await settle(state, committed.id, trigger, wait_ms)
    if not state.outage.up:  # known away: do not wait on the pool for what we already have
        return committed.model_copy(update={"assignment": assignment})
    try:
        async with state.pool.connection(timeout=READ_BACK_SECONDS) as conn, conn.transaction():
            booking = await require_booking(conn, committed.id)
            return await booking_view(conn, booking, scope.slug, assignment)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning("booking_read_back_failed", booking_id=str(committed.id), trigger=trigger)
        return committed.model_copy(update={"assignment": assignment})
