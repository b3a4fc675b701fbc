"""What a benchmark process sends to PostgreSQL: statements by name, and round trips.

Statements are counted by wrapping psycopg's execute (each labelled with its seatflow or
procrastinate query name); round trips come from libpq's protocol trace of every connection the
process opens (`seatflow.store.round_trips`) — pipelined statements share one. Installed in
every process of a run; pg_stat_statements is not loadable without a server restart.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

from seatflow.store.round_trips import RoundTripTrace

STATEMENTS: Counter[str] = Counter()
_TRACE: list[RoundTripTrace] = []


def install(trace_directory: Path | None = None) -> None:
    """Count statements from now on; with a directory, also trace every new async connection."""
    _count_statements()
    if trace_directory is not None:
        _trace_connections(RoundTripTrace(trace_directory))


def round_trips() -> int:
    return sum(trace.count() for trace in _TRACE)


def save(path: Path) -> None:
    path.write_text(json.dumps({"statements": STATEMENTS, "round_trips": round_trips()}))


def load(path: Path) -> tuple[Counter[str], int]:
    saved = json.loads(path.read_text())
    return Counter(saved["statements"]), int(saved["round_trips"])


def _trace_connections(trace: RoundTripTrace) -> None:
    _TRACE.append(trace)
    connect = psycopg.AsyncConnection.connect.__func__  # type: ignore[attr-defined]

    async def traced_connect(cls: Any, *args: Any, **kwargs: Any) -> Any:
        conn = await connect(cls, *args, **kwargs)
        trace.watch(conn)
        return conn

    psycopg.AsyncConnection.connect = classmethod(traced_connect)  # type: ignore[method-assign,assignment]
    close = psycopg.AsyncConnection.close

    async def flushed_close(self: Any) -> None:
        if not self.closed:
            self.pgconn.untrace()  # libpq's buffered trace reaches the file before the end
        await close(self)

    psycopg.AsyncConnection.close = flushed_close  # type: ignore[method-assign]


def _count_statements() -> None:
    """Count each statement sent: cursor executes and transaction-control commands."""
    from procrastinate import sql as procrastinate_sql
    from psycopg import AsyncCursor
    from psycopg._connection_base import BaseConnection

    from seatflow.store.queries import queries

    names = {text.strip(): f"seatflow:{name}" for name, text in queries().items()}
    names.update(
        {text.strip(): f"procrastinate:{name}" for name, text in procrastinate_sql.queries.items()}
    )
    occupancy = queries()["occupancy"].strip()

    def label(query: Any) -> str:
        if isinstance(query, bytes):
            query = query.decode()
        if not isinstance(query, str):
            return "procrastinate:listen" if "LISTEN" in repr(query) else "other:composed"
        text = query.strip()
        if text in names:
            return names[text]
        if text.endswith(occupancy):
            return "seatflow:occupancy"
        if not text:
            return "pool:connection check"
        word = text.split(None, 1)[0].upper()
        if word in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
            return f"tx:{word}"
        return f"other:{text[:50]}"

    execute = AsyncCursor.execute

    async def counted_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        STATEMENTS[label(query)] += 1
        return await execute(self, query, *args, **kwargs)

    command = BaseConnection._exec_command

    def counted_command(self: Any, cmd: Any, *args: Any, **kwargs: Any) -> Any:
        STATEMENTS[label(cmd if isinstance(cmd, bytes | str) else cmd.as_string(self))] += 1
        return command(self, cmd, *args, **kwargs)

    AsyncCursor.execute = counted_execute  # type: ignore[method-assign]
    BaseConnection._exec_command = counted_command  # type: ignore[method-assign,assignment]
