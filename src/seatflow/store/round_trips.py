"""Counting round trips from libpq's own protocol trace — a measuring aid for the benchmark and
the tests that guard how many times an assignment waits for the server.

libpq logs each message the client sends (`F`) and each it receives (`B`). A round trip is one
run of sent messages answered by the server: the number of `F` → `B` turns in a connection's
trace. Pipelined statements are one round trip together; a statement read at once is one alone.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq

__all__ = ["RoundTripTrace", "count_round_trips"]


class RoundTripTrace:
    """Traces connections, each into its own file under `directory`, and counts their turns."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or Path(tempfile.mkdtemp(prefix="seatflow-trace-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: list[Any] = []

    def watch(self, conn: psycopg.AsyncConnection[Any] | psycopg.Connection[Any]) -> None:
        """Trace `conn` from now on (until it closes)."""
        handle = (self.directory / f"conn-{len(self._files)}.trace").open("w")
        self._files.append(handle)
        conn.pgconn.trace(handle.fileno())
        conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    def count(self) -> int:
        """Round trips so far, over every watched connection."""
        for handle in self._files:
            handle.flush()
        return sum(count_round_trips(path) for path in self.directory.glob("*.trace"))

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        self._files.clear()


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
