"""Where the API hands a booking to the assignment workers.

Enqueueing happens on the caller's connection, inside the transaction that wrote the booking, so
a booking never exists without its job. The app uses `seatflow.jobs.queue.ProcrastinateQueue`
unless told otherwise; this port is what the handlers depend on.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol
from uuid import UUID

from seatflow.store.database import Connection

__all__ = ["AssignmentQueue"]


class AssignmentQueue(Protocol):
    """Schedule one assignment run of `booking_id` for `trigger`, after `delay` if given;
    `new_booking` says the booking was written in this same transaction."""

    async def enqueue(
        self,
        conn: Connection,
        booking_id: UUID,
        trigger: str,
        delay: timedelta | None = None,
        *,
        new_booking: bool = False,
    ) -> None: ...
