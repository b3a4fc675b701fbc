"""Bookings in PostgreSQL: creation, version-checked state changes with history and outbox rows.

Functions take a connection and never commit: the caller's transaction decides what lands together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from psycopg import AsyncCursor

from seatflow.domain.states import (
    TERMINAL_STATUSES,
    AssignmentState,
    BookingStatus,
    can_transition,
)
from seatflow.errors import InvalidTransition, NotFound
from seatflow.store.checks import store_errors
from seatflow.store.database import Connection
from seatflow.store.locks import BOOKING_LOCKS, RESTAURANT_PERMITS
from seatflow.store.queries import query

#: Booking statuses that take no tables, as the SQL checks want them.
CLOSED = sorted(status.value for status in TERMINAL_STATUSES)


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingRecord:
    id: UUID
    restaurant_id: UUID
    ref: str | None
    party_size: int
    start_at: datetime
    end_at: datetime
    duration_minutes: int | None
    zone_preference: str | None
    status: BookingStatus
    assignment_state: AssignmentState
    version: int
    strategy: str | None
    review_reason: str | None
    created_at: datetime
    source: str = "online"
    seated_at: datetime | None = None
    left_at: datetime | None = None
    pinned: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class NewBooking:
    """A booking to write; its id is made here, so statements about it can be sent before the
    row comes back (`store.creation`)."""

    restaurant_id: UUID
    party_size: int
    start_at: datetime
    end_at: datetime
    ref: str | None = None
    duration_minutes: int | None = None
    zone_preference: str | None = None
    requested_at: datetime | None = None
    guest_name: str | None = None
    guest_phone: str | None = None
    guest_email: str | None = None
    #: Written by a simulation or the demo; such a run may clear it, and only it.
    simulated: bool = False
    #: online, phone or walk_in (walk-ins do not count against pacing).
    source: str = "online"
    id: UUID = field(default_factory=uuid4)


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """What one state change wrote: the new record, the from/to pair, and the history row's
    reason and actor — what its telemetry event reports."""

    booking: BookingRecord
    from_state: AssignmentState
    to_state: AssignmentState
    reason: str | None = None
    actor: str | None = None


def record_of(row: dict[str, Any]) -> BookingRecord:
    return BookingRecord(
        id=row["id"],
        restaurant_id=row["restaurant_id"],
        ref=row["ref"],
        party_size=row["party_size"],
        start_at=row["start_at"],
        end_at=row["end_at"],
        duration_minutes=row["duration_minutes"],
        zone_preference=row["zone_preference"],
        status=BookingStatus(row["status"]),
        assignment_state=AssignmentState(row["assignment_state"]),
        version=row["assignment_state_version"],
        strategy=row["assignment_strategy"],
        review_reason=row["review_reason"],
        created_at=row["created_at"],
        source=row.get("source", "online"),
        seated_at=row.get("seated_at"),
        left_at=row.get("left_at"),
        pinned=row.get("pinned", False),
    )


async def insert_booking(conn: Connection, booking: NewBooking) -> BookingRecord:
    row = await (await conn.execute(query("insert_booking"), insert_params(booking))).fetchone()
    assert row is not None
    return record_of(row)


def insert_params(booking: NewBooking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "restaurant_id": booking.restaurant_id,
        "ref": booking.ref,
        "party_size": booking.party_size,
        "start_at": booking.start_at,
        "end_at": booking.end_at,
        "duration_minutes": booking.duration_minutes,
        "zone_preference": booking.zone_preference,
        "requested_at": booking.requested_at or booking.start_at,
        "guest_name": booking.guest_name,
        "guest_phone": booking.guest_phone,
        "guest_email": booking.guest_email,
        "simulated": booking.simulated,
        "source": booking.source,
    }


async def get_booking(
    conn: Connection, booking_id: UUID, *, for_update: bool = False
) -> BookingRecord | None:
    name = "booking_by_id_for_update" if for_update else "booking_by_id"
    row = await (await conn.execute(query(name), {"booking_id": booking_id})).fetchone()
    return record_of(row) if row else None


async def require_booking(
    conn: Connection, booking_id: UUID, *, for_update: bool = False
) -> BookingRecord:
    booking = await get_booking(conn, booking_id, for_update=for_update)
    if booking is None:
        raise NotFound(f"no booking {booking_id}")
    return booking


async def advance(
    conn: Connection,
    booking: BookingRecord,
    states: Sequence[AssignmentState],
    *,
    actor: str,
    reason: str | None = None,
    status: BookingStatus | None = None,
    strategy: str | None = None,
) -> tuple[Transition, ...]:
    """Walk the booking through `states` in one version-checked statement (history and outbox
    rows per step); `status` and `strategy` land with the last step.

    Nothing is read back, so in pipeline mode this costs no round trip of its own: the records
    returned are what the statement writes. Raises InvalidTransition when the transition table
    forbids a step, and VersionConflict (here, or at the pipeline's sync) when `booking` is stale.
    """
    if not states:
        return ()
    steps = walk(booking, states, actor=actor, reason=reason, status=status, strategy=strategy)
    final = states[-1]
    review_reason = reason if final is AssignmentState.MANUAL_REVIEW else None
    params = {
        "booking_id": booking.id,
        "expected_version": booking.version,
        "steps": len(states),
        "from_states": [step.from_state.value for step in steps],
        "to_states": [step.to_state.value for step in steps],
        "to_state": final.value,
        "status": status.value if status else None,
        "strategy": strategy,
        "review_reason": review_reason,
        "reason": reason,
        "actor": actor,
    }
    async with store_errors():
        await conn.execute(query("advance_state"), params)
    return tuple(steps)


def walk(
    booking: BookingRecord,
    states: Sequence[AssignmentState],
    *,
    actor: str,
    reason: str | None,
    status: BookingStatus | None,
    strategy: str | None,
) -> list[Transition]:
    """The records of each step as the statement will write them (the transition table checked
    first: InvalidTransition names the step it forbids)."""
    steps: list[Transition] = []
    current = booking
    for state in states:
        if not can_transition(current.assignment_state, state):
            raise InvalidTransition(
                f"assignment state {current.assignment_state} cannot move to {state}"
            )
        after = replace(
            current,
            assignment_state=state,
            version=current.version + 1,
            review_reason=reason if state is AssignmentState.MANUAL_REVIEW else None,
        )
        steps.append(
            Transition(
                booking=after,
                from_state=current.assignment_state,
                to_state=state,
                reason=reason,
                actor=actor,
            )
        )
        current = after
    last = replace(
        current,
        status=status if status is not None else current.status,
        strategy=strategy if strategy is not None else current.strategy,
        review_reason=reason if states[-1] is AssignmentState.MANUAL_REVIEW else None,
    )
    steps[-1] = replace(steps[-1], booking=last)
    return steps


async def transition(
    conn: Connection,
    booking: BookingRecord,
    to_state: AssignmentState,
    *,
    actor: str,
    reason: str | None = None,
    status: BookingStatus | None = None,
    strategy: str | None = None,
) -> Transition:
    """One step of `advance`."""
    (step,) = await advance(
        conn, booking, (to_state,), actor=actor, reason=reason, status=status, strategy=strategy
    )
    return step


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """What `claim_booking` found: whether the lock was free, and then the booking (None when it
    does not exist), its restaurant's slug and floor version, the attempts so far (and how many
    of them were errors), the permit."""

    locked: bool
    booking: BookingRecord | None = None
    restaurant_slug: str | None = None
    floor_version: datetime | None = None
    attempts: int = 0
    errors: int = 0
    permit: int | None = None


@dataclass(frozen=True, slots=True)
class PendingClaim:
    """A claim already sent; `result()` reads it (a sync in pipeline mode)."""

    cursor: AsyncCursor[dict[str, Any]]
    attempts: AsyncCursor[dict[str, Any]]

    async def result(self) -> Claim:
        row = await self.cursor.fetchone()
        counted = await self.attempts.fetchone()
        assert row is not None and counted is not None  # each statement yields its one row
        if not row["locked"]:
            return Claim(locked=False)
        if row["id"] is None:
            return Claim(locked=True)
        return Claim(
            locked=True,
            booking=record_of(row),
            restaurant_slug=row["restaurant_slug"],
            floor_version=row["floor_version"],
            attempts=int(counted["attempts"]),
            errors=int(counted["errors"]),
            permit=row["permit_slot"],
        )


async def send_claim(
    conn: Connection, booking_id: UUID, *, pipeline: str, permits: int = 0
) -> PendingClaim:
    """Send the claim on a booking: its advisory lock, then (only if that was free) its row lock
    and row, with one of `permits` restaurant slots; then its attempts so far in `pipeline`.
    Two statements, the first of an assignment, read together."""
    params = {
        "lock_namespace": BOOKING_LOCKS,
        "booking_key": str(booking_id),
        "booking_id": booking_id,
        "permits": permits,
        "permit_namespace": RESTAURANT_PERMITS,
    }
    claim = await conn.execute(query("claim_booking"), params)
    counted = await conn.execute(
        query("attempts_so_far"), {"booking_id": booking_id, "pipeline": pipeline}
    )
    return PendingClaim(claim, counted)


async def claim_booking(
    conn: Connection, booking_id: UUID, *, pipeline: str, permits: int = 0
) -> Claim:
    """`send_claim` and read it."""
    return await (await send_claim(conn, booking_id, pipeline=pipeline, permits=permits)).result()


async def assert_open(conn: Connection, booking_id: UUID) -> None:
    """BookingClosed (here, or at the pipeline's sync) unless the booking takes tables."""
    params = {"booking_id": booking_id, "closed": CLOSED}
    async with store_errors():
        await conn.execute(query("assert_booking_open"), params)


async def set_status(conn: Connection, booking_id: UUID, status: BookingStatus) -> BookingRecord:
    params = {"booking_id": booking_id, "status": status.value}
    row = await (await conn.execute(query("set_status"), params)).fetchone()
    if row is None:
        raise NotFound(f"no booking {booking_id}")
    return record_of(row)


async def release_allocations(conn: Connection, booking_id: UUID, now: datetime) -> None:
    await conn.execute(query("release_booking_allocations"), {"booking_id": booking_id, "now": now})


async def table_keys(conn: Connection, booking_id: UUID) -> list[str]:
    rows = await (
        await conn.execute(query("booking_table_keys"), {"booking_id": booking_id})
    ).fetchall()
    return [row["key"] for row in rows]


async def state_history(conn: Connection, booking_id: UUID) -> list[dict[str, Any]]:
    result = await conn.execute(query("state_history"), {"booking_id": booking_id})
    return list(await result.fetchall())


async def booking_restaurant(conn: Connection, booking_id: UUID) -> tuple[UUID, str] | None:
    row = await (
        await conn.execute(query("booking_restaurant"), {"booking_id": booking_id})
    ).fetchone()
    return None if row is None else (row["id"], row["slug"])


async def stuck_bookings(
    conn: Connection, older_than: timedelta, limit: int = 100
) -> list[BookingRecord]:
    params = {"older_than": older_than, "limit": limit}
    rows = await (await conn.execute(query("stuck_bookings"), params)).fetchall()
    return [record_of(row) for row in rows]
