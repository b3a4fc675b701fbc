"""Applying a plan: hold the tables, re-check the booking, confirm — inside a savepoint.

Both pipelines use this one path, so the database guarantees (row-locked tables, the exclusion
constraint, the version check) are the same whichever planner chose the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.errors import BookingClosed, HoldExpired, TablesTaken, VersionConflict
from seatflow.planning.model import Plan
from seatflow.store.bookings import AttemptRecord, BookingRecord, Transition, transition
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.holds import TableMove, confirm_hold, create_hold, release_holds

S = AssignmentState

#: Failures of applying a plan that another attempt may well get past.
TRANSIENT_APPLY_ERRORS = (TablesTaken, VersionConflict, HoldExpired)


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    booking: BookingRecord
    tables: tuple[str, ...]
    transitions: tuple[Transition, ...]


def attempt_record(
    booking: BookingRecord,
    *,
    pipeline: str,
    trigger: str,
    outcome: str,
    reason: str | None = None,
    plan: Plan | None = None,
    duration_ms: float | None = None,
) -> AttemptRecord:
    """The attempt row both pipelines write once per invocation."""
    return AttemptRecord(
        booking_id=booking.id,
        restaurant_id=booking.restaurant_id,
        pipeline=pipeline,
        trigger=trigger,
        outcome=outcome,
        reason=reason,
        strategy=plan.strategy if plan else None,
        score=plan.score if plan else None,
        tables=plan.tables if plan else (),
        duration_ms=duration_ms,
    )


def table_moves(plan: Plan) -> tuple[TableMove, ...]:
    return tuple(
        TableMove(booking_id=UUID(m.booking_id), from_tables=m.from_tables, to_tables=m.to_tables)
        for m in plan.moves
    )


async def apply_plan(
    conn: Connection,
    floor: StoredFloor,
    booking: BookingRecord,
    plan: Plan,
    *,
    now: datetime,
    hold_ttl: timedelta,
    actor: str,
) -> Applied:
    """Hold, confirm and move the booking to `confirmed`, atomically (a savepoint).

    Raises BookingClosed, or one of TRANSIENT_APPLY_ERRORS; the savepoint then rolls back and the
    booking's unconfirmed holds are released, so a failure leaves nothing behind.
    """
    moves = table_moves(plan)
    try:
        async with conn.transaction():
            hold_id = await create_hold(
                conn,
                floor,
                booking.id,
                plan.tables,
                start=booking.start_at,
                end=booking.end_at,
                now=now,
                ttl=hold_ttl,
                moving=[m.booking_id for m in moves],
            )
            result = await confirm_hold(conn, floor, hold_id, now=now, moves=moves)
            steps = await walk(
                conn,
                booking,
                (S.ASSIGNED, S.CONFIRMED),
                actor=actor,
                status=BookingStatus.CONFIRMED,
                strategy=plan.strategy,
            )
    except (BookingClosed, *TRANSIENT_APPLY_ERRORS):
        await release_holds(conn, booking.id)
        raise
    return Applied(booking=steps[-1].booking, tables=result.tables, transitions=steps)


async def walk(
    conn: Connection,
    booking: BookingRecord,
    states: tuple[AssignmentState, ...],
    *,
    actor: str,
    reason: str | None = None,
    status: BookingStatus | None = None,
    strategy: str | None = None,
) -> tuple[Transition, ...]:
    """Several version-checked transitions in a row; status/strategy ride on the last one."""
    steps: list[Transition] = []
    current = booking
    for index, state in enumerate(states):
        last = index == len(states) - 1
        step = await transition(
            conn,
            current,
            state,
            actor=actor,
            reason=reason,
            status=status if last else None,
            strategy=strategy if last else None,
        )
        steps.append(step)
        current = step.booking
    return tuple(steps)


def path_to_in_progress(state: AssignmentState) -> tuple[AssignmentState, ...]:
    """The states a booking walks through from where it is to `assignment_in_progress`."""
    path = {
        S.CREATED: (S.CAPACITY_VERIFIED, S.ASSIGNMENT_PENDING, S.ASSIGNMENT_IN_PROGRESS),
        S.CAPACITY_VERIFIED: (S.ASSIGNMENT_PENDING, S.ASSIGNMENT_IN_PROGRESS),
        S.ASSIGNMENT_PENDING: (S.ASSIGNMENT_IN_PROGRESS,),
        S.CONFIRMED: (S.ASSIGNMENT_PENDING, S.ASSIGNMENT_IN_PROGRESS),
        S.MANUAL_REVIEW: (S.ASSIGNMENT_PENDING, S.ASSIGNMENT_IN_PROGRESS),
        S.FAILED: (S.ASSIGNMENT_PENDING, S.ASSIGNMENT_IN_PROGRESS),
    }
    return path.get(state, ())
