"""Bookings in PostgreSQL: creation, version-checked state changes with history and outbox rows.

Functions take a connection and never commit: the caller's transaction decides what lands together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from seatflow.domain.states import AssignmentState, BookingStatus, can_transition
from seatflow.errors import InvalidTransition, NotFound, VersionConflict
from seatflow.store.database import Connection
from seatflow.store.queries import query


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


@dataclass(frozen=True, slots=True, kw_only=True)
class NewBooking:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """What one state change wrote: the new record plus the from/to pair for telemetry."""

    booking: BookingRecord
    from_state: AssignmentState
    to_state: AssignmentState


def _record(row: dict[str, Any]) -> BookingRecord:
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
    )


async def insert_booking(conn: Connection, booking: NewBooking) -> BookingRecord:
    params = {
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
    }
    row = await (await conn.execute(query("insert_booking"), params)).fetchone()
    assert row is not None
    return _record(row)


async def get_booking(
    conn: Connection, booking_id: UUID, *, for_update: bool = False
) -> BookingRecord | None:
    name = "booking_by_id_for_update" if for_update else "booking_by_id"
    row = await (await conn.execute(query(name), {"booking_id": booking_id})).fetchone()
    return _record(row) if row else None


async def require_booking(
    conn: Connection, booking_id: UUID, *, for_update: bool = False
) -> BookingRecord:
    booking = await get_booking(conn, booking_id, for_update=for_update)
    if booking is None:
        raise NotFound(f"no booking {booking_id}")
    return booking


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
    """Move the assignment state, version-checked, with its history and outbox rows.

    Raises InvalidTransition when the table forbids it and VersionConflict when `booking` is stale.
    """
    if not can_transition(booking.assignment_state, to_state):
        raise InvalidTransition(
            f"assignment state {booking.assignment_state} cannot move to {to_state}"
        )
    params = {
        "booking_id": booking.id,
        "to_state": to_state.value,
        "from_state": booking.assignment_state.value,
        "expected_version": booking.version,
        "status": status.value if status else None,
        "strategy": strategy,
        "review_reason": reason if to_state is AssignmentState.MANUAL_REVIEW else None,
        "reason": reason,
        "actor": actor,
    }
    row = await (await conn.execute(query("transition_state"), params)).fetchone()
    if row is None:
        raise VersionConflict(f"booking {booking.id} changed since version {booking.version}")
    updated = _record(row)
    return Transition(booking=updated, from_state=booking.assignment_state, to_state=to_state)


async def set_status(conn: Connection, booking_id: UUID, status: BookingStatus) -> BookingRecord:
    params = {"booking_id": booking_id, "status": status.value}
    row = await (await conn.execute(query("set_status"), params)).fetchone()
    if row is None:
        raise NotFound(f"no booking {booking_id}")
    return _record(row)


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


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptRecord:
    booking_id: UUID
    restaurant_id: UUID
    pipeline: str
    trigger: str
    outcome: str
    reason: str | None = None
    strategy: str | None = None
    score: float | None = None
    tables: tuple[str, ...] = ()
    duration_ms: float | None = None


async def record_attempt(conn: Connection, attempt: AttemptRecord) -> int:
    """Record one attempt and return its number for this booking and pipeline."""
    row = await (
        await conn.execute(
            query("insert_attempt"),
            {
                "booking_id": attempt.booking_id,
                "restaurant_id": attempt.restaurant_id,
                "pipeline": attempt.pipeline,
                "trigger": attempt.trigger,
                "outcome": attempt.outcome,
                "reason": attempt.reason,
                "strategy": attempt.strategy,
                "score": attempt.score,
                "tables": list(attempt.tables),
                "duration_ms": attempt.duration_ms,
            },
        )
    ).fetchone()
    assert row is not None
    return int(row["attempt_no"])


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
    return [_record(row) for row in rows]
