"""A booking as the API shows it: the record, its live tables, its state history and its moves."""

from __future__ import annotations

from collections.abc import Sequence

from seatflow.api.schemas import AssignmentOut, BookingOut, HistoryOut, MoveOut
from seatflow.store.bookings import BookingRecord, Transition
from seatflow.store.database import Connection
from seatflow.store.reads import BookingParts, booking_parts

__all__ = ["booking_view", "created_view"]


async def booking_view(
    conn: Connection,
    booking: BookingRecord,
    restaurant: str,
    assignment: AssignmentOut | None = None,
) -> BookingOut:
    return _view(booking, await booking_parts(conn, booking.id), restaurant, assignment)


def created_view(
    booking: BookingRecord, steps: Sequence[Transition], restaurant: str
) -> BookingOut:
    """A booking created in this transaction, from what it wrote: no tables or moves yet, and
    a history row per step stamped with the transaction's time — the row's `created_at`, since
    both are PostgreSQL's `now()` — so answering it reads nothing back."""
    history = [
        {
            "from_state": step.from_state.value,
            "to_state": step.to_state.value,
            "version": step.booking.version,
            "reason": step.reason,
            "actor": step.actor,
            "created_at": booking.created_at,
        }
        for step in steps
    ]
    walked = steps[-1].booking if steps else booking
    return _view(walked, BookingParts(history=history, moves=[], tables=[]), restaurant, None)


def _view(
    booking: BookingRecord,
    parts: BookingParts,
    restaurant: str,
    assignment: AssignmentOut | None,
) -> BookingOut:
    return BookingOut(
        id=booking.id,
        restaurant=restaurant,
        status=booking.status.value,
        party_size=booking.party_size,
        start_at=booking.start_at,
        end_at=booking.end_at,
        zone_preference=booking.zone_preference,
        tables=parts.tables,
        assignment_state=booking.assignment_state.value,
        assignment_strategy=booking.strategy,
        review_reason=booking.review_reason,
        created_at=booking.created_at,
        history=[
            HistoryOut(
                from_state=row["from_state"],
                to_state=row["to_state"],
                version=row["version"],
                reason=row["reason"],
                actor=row["actor"],
                at=row["created_at"],
            )
            for row in parts.history
        ],
        assignment=assignment,
        source=booking.source,
        seated_at=booking.seated_at,
        left_at=booking.left_at,
        pinned=booking.pinned,
        moves=[
            MoveOut(
                from_tables=list(row["from_tables"]),
                to_tables=list(row["to_tables"]),
                actor=row["actor"],
                reason=row["reason"],
                at=row["moved_at"],
            )
            for row in parts.moves
        ],
    )
