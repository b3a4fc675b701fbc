"""The assignment queue on procrastinate: a booking's job is written in the caller's transaction.

`enqueue` runs procrastinate's own defer on the caller's connection, inside a savepoint: the job
commits or rolls back with the booking row, so a booking never exists without its job, and a
second enqueue while one job already waits (the queueing lock) rolls back only the savepoint.

Each job carries `lock` and `queueing_lock` = `booking:<id>`: at most one job per booking runs at
a time, and at most one waits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import structlog
from procrastinate import App, exceptions
from procrastinate.jobs import JobDeferrer

__all__ = ["AUTO_ASSIGN", "ProcrastinateQueue", "booking_lock"]

#: The task name stored in procrastinate_jobs.task_name; stable across releases.
AUTO_ASSIGN = "seatflow.auto_assign"

log = structlog.get_logger(__name__)


def booking_lock(booking_id: UUID | str) -> str:
    """The lock and queueing lock of a booking's jobs (also what the orphan sweep looks for)."""
    return f"booking:{booking_id}"


class ProcrastinateQueue:
    """Defers `auto_assign` jobs; satisfies the API's `AssignmentQueue` port."""

    def __init__(self, app: App) -> None:
        self._app = app

    async def enqueue(
        self,
        conn: psycopg.AsyncConnection[Any],
        booking_id: UUID | str,
        trigger: str,
        delay: timedelta | None = None,
        *,
        new_booking: bool = False,
    ) -> None:
        """Defer the booking's job in `conn`'s transaction; already waiting is fine too.

        `new_booking`: the booking was written in this transaction, so no job of it can wait
        yet and the savepoint (two round trips) is skipped.
        """
        if new_booking:
            try:
                await self._deferrer(conn, booking_id, delay).defer_async(
                    booking_id=str(booking_id), trigger=trigger
                )
            except exceptions.ConnectorException as exc:
                # In pipeline mode this read is the sync of everything sent before it: a failed
                # earlier statement (a lost claim, say) is given back as the database's own error.
                if isinstance(exc.__cause__, psycopg.Error):
                    raise exc.__cause__ from None
                raise
            return
        await self.defer(conn, booking_id, trigger, delay)

    async def defer(
        self,
        conn: psycopg.AsyncConnection[Any],
        booking_id: UUID | str,
        trigger: str,
        delay: timedelta | None = None,
    ) -> bool:
        """Like `enqueue`, but say whether a new job was written (False: one already waits)."""
        deferrer = self._deferrer(conn, booking_id, delay)
        try:
            async with conn.transaction():  # a savepoint when the caller's transaction is open
                await deferrer.defer_async(booking_id=str(booking_id), trigger=trigger)
        except exceptions.AlreadyEnqueued:
            log.debug("auto_assign_already_waiting", booking_id=str(booking_id), trigger=trigger)
            return False
        return True

    def _deferrer(
        self,
        conn: psycopg.AsyncConnection[Any],
        booking_id: UUID | str,
        delay: timedelta | None,
    ) -> JobDeferrer:
        key = booking_lock(booking_id)
        return self._app.configure_task(
            AUTO_ASSIGN,
            lock=key,
            queueing_lock=key,
            schedule_at=None if delay is None else datetime.now(UTC) + delay,
            connection=conn,
        )
