"""Where the API hands a booking to the assignment workers.

Enqueueing happens on the caller's connection, inside the transaction that wrote the booking, so
a booking never exists without its job (a job layer on PostgreSQL — procrastinate — can do that).
Until that layer is wired in, `InlineQueue` stands in: it enqueues nothing, and only a request's
`?wait_ms=` runs the assignment, inline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol
from uuid import UUID

from seatflow.store.database import Connection

__all__ = ["AssignmentQueue", "InlineQueue"]


class AssignmentQueue(Protocol):
    """Schedule one assignment run of `booking_id` for `trigger`, after `delay` if given."""

    async def enqueue(
        self,
        conn: Connection,
        booking_id: UUID,
        trigger: str,
        delay: timedelta | None = None,
    ) -> None: ...


class InlineQueue:
    """The placeholder queue: nothing is scheduled; `?wait_ms=` is the only thing that assigns."""

    async def enqueue(
        self,
        conn: Connection,
        booking_id: UUID,
        trigger: str,
        delay: timedelta | None = None,
    ) -> None:
        return None
