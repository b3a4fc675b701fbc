"""Applying a plan: hold the tables, check them and the booking, confirm — inside a savepoint.

Both pipelines use this one path, so the database guarantees (row-locked tables, the exclusion
constraint, the version check) are the same whichever planner chose the tables.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from seatflow.domain.states import AssignmentState, BookingStatus
from seatflow.errors import HoldExpired, TablesTaken, VersionConflict
from seatflow.planning.model import Plan
from seatflow.store.attempts import AttemptRecord
from seatflow.store.bookings import BookingRecord, Transition, advance
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.holds import TableMove, place_tables
from seatflow.store.live_service import attribute

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
    path: tuple[AssignmentState, ...] = (),
    savepoint: bool = True,
) -> Applied:
    """Hold and confirm the plan's tables and walk the booking through `path`, then `assigned`
    and `confirmed`, atomically (a savepoint).

    Nothing is read back, so in pipeline mode the whole of it rides in the caller's round trip.
    Raises BookingClosed or one of TRANSIENT_APPLY_ERRORS — here, or at the pipeline's sync —
    and then nothing of it remains: the savepoint rolls back, or with `savepoint=False` (a
    pipelined caller, whose savepoint would cost round trips) the caller's whole transaction.
    """
    async with conn.transaction() if savepoint else contextlib.nullcontext():
        # Who moves tables and why, for the booking_moves trigger (no round trip of its own).
        await attribute(conn, actor=actor, reason=actor.rpartition(":")[2], now=now)
        await place_tables(
            conn,
            floor,
            booking.id,
            plan.tables,
            start=booking.start_at,
            end=booking.end_at,
            now=now,
            ttl=hold_ttl,
            moves=table_moves(plan),
        )
        steps = await advance(
            conn,
            booking,
            (*path, S.ASSIGNED, S.CONFIRMED),
            actor=actor,
            status=BookingStatus.CONFIRMED,
            strategy=plan.strategy,
        )
    return Applied(booking=steps[-1].booking, tables=tuple(sorted(plan.tables)), transitions=steps)


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
