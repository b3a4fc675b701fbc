"""Counting round trips from libpq's own protocol trace — a measuring aid for the benchmark and
the tests that guard how many times an assignment waits for the server.

libpq logs each message the client sends (`F`) and each it receives (`B`). A round trip is one
run of sent messages answered by the server: the number of `F` → `B` turns in a connection's
trace. Pipelined statements are one round trip together; a statement read at once is one alone.

libpq writes the trace through a buffered C stream; `count()` flushes it first (untrace, which
flushes, then trace again on the same file), so a count taken mid-run is exact.
"""

from __future__ import annotations

import tempfile
import weakref
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg import pq

__all__ = ["RoundTripTrace", "count_round_trips"]

AnyConnection = psycopg.AsyncConnection[Any] | psycopg.Connection[Any]


class RoundTripTrace:
    """Traces connections, each into its own file under `directory`, and counts their turns."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or Path(tempfile.mkdtemp(prefix="seatflow-trace-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self._watched: list[tuple[weakref.ref[AnyConnection], IO[str]]] = []

    def watch(self, conn: AnyConnection) -> None:
        """Trace `conn` from now on (until it closes)."""
        handle = (self.directory / f"conn-{len(self._watched)}.trace").open("w")
        self._watched.append((weakref.ref(conn), handle))
        _trace(conn, handle)

    def count(self) -> int:
        """Round trips so far, over every watched connection."""
        for ref, handle in self._watched:
            conn = ref()
            if conn is not None and not conn.closed:
                conn.pgconn.untrace()  # flushes libpq's buffer into the file
                _trace(conn, handle)
        return sum(count_round_trips(path) for path in self.directory.glob("*.trace"))

    def close(self) -> None:
        for ref, handle in self._watched:
            conn = ref()
            if conn is not None and not conn.closed:
                conn.pgconn.untrace()
            handle.close()
        self._watched.clear()


def _trace(conn: AnyConnection, handle: IO[str]) -> None:
    conn.pgconn.trace(handle.fileno())
    conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)


def count_round_trips(path: Path) -> int:
    """`F` → `B` turns in one connection's trace file."""
    turns = 0
    previous = ""
    with path.open() as lines:
        for line in lines:
            direction = line[:1]
            if direction == "B" and previous == "F":
                turns += 1
            if direction in ("F", "B"):
                previous = direction
    return turns
