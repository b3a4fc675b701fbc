"""Which errors mean "the database is away" (503, wait and reconnect) rather than "the
database refused this query" — decided on the exception and everything that caused it."""

from __future__ import annotations

import psycopg
import pytest
from procrastinate.exceptions import ConnectorException
from psycopg import errors
from psycopg_pool import PoolClosed, PoolTimeout

from seatflow.errors import DatabaseUnavailable, TablesTaken
from seatflow.store.database import is_unavailable


def _caused_by(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (psycopg.OperationalError("connection refused"), True),  # libpq: no SQLSTATE
        (errors.AdminShutdown("terminating connection"), True),
        (errors.CannotConnectNow("the database system is starting up"), True),
        (errors.ConnectionFailure("lost"), True),
        (psycopg.InterfaceError("the connection is closed"), True),
        (PoolTimeout("couldn't get a connection after 30 s"), True),
        (PoolClosed("the pool is closed"), True),
        (DatabaseUnavailable(), True),
        (_caused_by(ConnectorException(), errors.AdminShutdown("x")), True),
        (_caused_by(RuntimeError("wrapped"), PoolTimeout("x")), True),
        (errors.SerializationFailure("could not serialize"), False),
        (errors.LockNotAvailable("lock timeout"), False),
        (errors.QueryCanceled("statement timeout"), False),
        (errors.UniqueViolation("duplicate"), False),
        (TablesTaken(), False),
        (ValueError("a bug"), False),
        (_caused_by(ConnectorException(), errors.UniqueViolation("x")), False),
    ],
)
def test_is_unavailable(exc: BaseException, unavailable: bool) -> None:
    """Connection-level failures, shutdowns and pool failures are outages, found through
    wrappers; refusals of a query (conflicts, timeouts, constraints) and bugs are not."""
    assert is_unavailable(exc) is unavailable


def test_a_cause_cycle_ends() -> None:
    """An exception chain that loops back on itself is walked once, not forever."""
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert is_unavailable(first) is False
