"""The manual-review queue: list what could not be placed, seat it by hand, or send it back.

A manual assignment obeys the same seating rules as the planners (the tables must be one of the
floor's valid combinations for the party) and takes the same path to the tables — hold, re-check,
confirm, in one transaction — so the exclusion constraint and the version check guard it too.
"""

from __future__ import annotations

from uuid import UUID

from seatflow.api.auth import Scope, owned_booking
from seatflow.api.bookings import ensure_open, reloaded_view
from seatflow.api.errors import ApiError
from seatflow.api.rules import rules_for, rules_refused
from seatflow.api.schemas import AssignIn, BookingOut, ReviewItemOut, ReviewOut
from seatflow.api.state import ApiState
from seatflow.api.validation import check_tables
from seatflow.api.views import booking_view
from seatflow.domain.states import IN_FLIGHT_STATES
from seatflow.errors import TablesTaken
from seatflow.pipeline.apply import apply_plan, path_to_in_progress
from seatflow.pipeline.handback import back_to_pending
from seatflow.planning.model import Plan
from seatflow.store.attempts import AttemptRecord, record_attempt
from seatflow.store.bookings import BookingRecord, advance
from seatflow.store.reads import review_queue
from seatflow.store.reservations import bump

__all__ = ["assign_tables", "list_review", "requeue_booking"]

MANUAL = "manual"


async def list_review(state: ApiState, scope: Scope) -> ReviewOut:
    async with state.pool.connection() as conn:
        rows = await review_queue(conn, scope.floor.restaurant_id)
    return ReviewOut(
        restaurant=scope.slug,
        bookings=[
            ReviewItemOut(
                id=row["id"],
                party_size=row["party_size"],
                start_at=row["start_at"],
                end_at=row["end_at"],
                zone_preference=row["zone_preference"],
                review_reason=row["review_reason"],
                since=row["updated_at"],
            )
            for row in rows
        ],
    )


async def assign_tables(
    state: ApiState, scope: Scope, booking_id: UUID, body: AssignIn
) -> BookingOut:
    """Seat the booking on exactly these tables (422 if they cannot seat it, 409 if taken)."""
    floor, actor, now = scope.floor, scope.principal.actor, state.clock.now()
    rules = await rules_for(state, scope)
    async with state.pool.connection() as conn, conn.transaction():
        booking = _not_in_flight(
            ensure_open(await owned_booking(conn, scope, booking_id, for_update=True))
        )
        tables = check_tables(floor.plan, body.tables, booking.party_size)
        refusal = rules.refusal(booking.start_at)
        if refusal is not None:  # staff may override the planner, not the opening hours
            raise rules_refused(refusal)
        await bump(conn, floor.restaurant_id)  # tables leave the supply acceptances planned on
        steps = await advance(
            conn, booking, path_to_in_progress(booking.assignment_state), actor=actor
        )
        booking = steps[-1].booking if steps else booking
        plan = Plan(tables=tables, strategy=MANUAL, score=0.0)
        try:
            applied = await apply_plan(
                conn, floor, booking, plan, now=now, hold_ttl=state.hold_ttl, actor=actor
            )
        except TablesTaken as exc:  # the whole transaction rolls back: the booking is unchanged
            raise ApiError(409, "tables_taken", str(exc), field="tables") from exc
        await record_attempt(
            conn,
            AttemptRecord(
                booking_id=booking.id,
                restaurant_id=booking.restaurant_id,
                pipeline=MANUAL,
                trigger=MANUAL,
                outcome="confirmed",
                strategy=MANUAL,
                tables=applied.tables,
            ),
        )
        view = await booking_view(conn, applied.booking, scope.slug)
    state.announce(steps + applied.transitions)
    state.metrics.assignments.labels(MANUAL, "confirmed").inc()
    return view


async def requeue_booking(
    state: ApiState, scope: Scope, booking_id: UUID, wait_ms: int | None
) -> BookingOut:
    """Back to `assignment_pending` (tables released) with a fresh job, trigger `requeue`.

    Also how staff free a booking a dead worker left mid-assignment, without waiting for the sweep.
    """
    async with state.pool.connection() as conn, conn.transaction():
        booking = ensure_open(await owned_booking(conn, scope, booking_id, for_update=True))
        steps = await back_to_pending(
            conn, booking, state.clock.now(), actor=scope.principal.actor, why="requeued"
        )
        await state.queue.enqueue(conn, booking.id, "requeue")
        committed = await booking_view(conn, steps[-1].booking if steps else booking, scope.slug)
    state.announce(steps)
    return await reloaded_view(state, scope, committed, "requeue", wait_ms)


def _not_in_flight(booking: BookingRecord) -> BookingRecord:
    """Under the row lock, a committed in-flight state is a dead worker's leftover."""
    if booking.assignment_state in IN_FLIGHT_STATES:
        raise ApiError(
            409,
            "assignment_in_progress",
            f"the booking was left {booking.assignment_state.value}; requeue it first",
            field="booking_id",
        )
    return booking
