"""Turning the database's refusals back into domain errors.

The checks that statements make themselves (`seatflow_assert`, migration 0004) raise their own
SQLSTATEs; the exclusion constraint and a deadlock between two confirmers are the same lost race
as a taken table. In pipeline mode an error surfaces only at the sync, far from the statement
that caused it, so the coordinator wraps its whole pipeline in `store_errors` too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg

from seatflow.errors import (
    BookingClosed,
    ReservationsChanged,
    StoreError,
    TablesTaken,
    VersionConflict,
)

__all__ = ["SQLSTATES", "store_errors"]

#: SQLSTATE raised by `seatflow_assert` → the error it stands for.
SQLSTATES: dict[str, type[StoreError]] = {
    "SF001": VersionConflict,
    "SF002": TablesTaken,
    "SF003": BookingClosed,
    "SF004": ReservationsChanged,
}
_LOST_RACES = (psycopg.errors.ExclusionViolation, psycopg.errors.DeadlockDetected)


@asynccontextmanager
async def store_errors() -> AsyncIterator[None]:
    """Re-raise a check's or a lost race's database error as its domain error."""
    try:
        yield
    except _LOST_RACES as exc:
        raise TablesTaken("a table was given to another booking meanwhile") from exc
    except psycopg.Error as exc:
        mapped = SQLSTATES.get(exc.sqlstate or "")
        if mapped is None:
            raise
        raise mapped(exc.diag.message_primary or str(exc)) from exc
