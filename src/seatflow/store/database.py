"""Which database seatflow talks to, the async connection pool to it, and the one-line message
for a server that cannot be reached (the host and port, and the variable that named them)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolClosed, PoolTimeout

from seatflow.errors import DatabaseUnavailable
from seatflow.settings import Settings
from seatflow.store.embedded import embedded_url

Connection = psycopg.AsyncConnection[dict[str, Any]]

#: `SEATFLOW_PREPARED_STATEMENTS` for connections opened one at a time (`connect`, the event
#: sink's own): set once per process by its composition root, like logging, so that every
#: command's connection follows the setting without each call site passing it on.
_prepared_by_default = True

#: libpq's preamble before the reason, e.g. `connection to server at "h", port 5 failed: `.
_PREAMBLE = re.compile(r"^(connection failed: )?(connection to server .*? failed: )?(FATAL: +)?")


def unreachable(url: str, exc: BaseException) -> DatabaseUnavailable:
    """One line: where seatflow tried to connect and libpq's reason, without its preamble."""
    lines = str(exc).strip().splitlines()
    reason = _PREAMBLE.sub("", lines[0]) if lines else type(exc).__name__
    return DatabaseUnavailable(f"cannot reach PostgreSQL at {_target(url)}: {reason}")


def _target(url: str) -> str:
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        return "DATABASE_URL"
    host = str(info.get("host") or info.get("hostaddr") or "")
    port = str(info.get("port") or "5432")
    if not host or host.startswith("/"):  # a Unix socket: the embedded server's kind
        return f"the socket in {host or 'the default directory'} (port {port})"
    return f"{host}:{port} (DATABASE_URL)"


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[Connection]:
    """One connection for a short piece of work; the caller commits with `conn.transaction()`."""
    try:
        conn = await psycopg.AsyncConnection.connect(url, row_factory=dict_row, **prepare_option())
    except psycopg.OperationalError as exc:
        raise unreachable(url, exc) from exc
    async with conn:
        yield conn


def resolve_url(settings: Settings) -> str:
    """DATABASE_URL when set; otherwise the embedded server, started on demand."""
    if settings.database_url:
        return settings.database_url
    return embedded_url(settings.data_dir)


@asynccontextmanager
async def open_pool(
    url: str, *, min_size: int = 1, max_size: int = 10, prepared: bool | None = None
) -> AsyncIterator[AsyncConnectionPool[Connection]]:
    """An open pool whose connections return rows as dicts; translated when unreachable.
    `prepared=False`: psycopg never prepares a statement (`SEATFLOW_PREPARED_STATEMENTS`)."""
    pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        open=False,
        kwargs={"row_factory": dict_row, "autocommit": False, **prepare_option(prepared)},
        connection_class=psycopg.AsyncConnection,
    )
    try:
        await pool.open(wait=True, timeout=15)
    except Exception as exc:  # psycopg_pool raises PoolTimeout; never let it escape untranslated
        await pool.close()
        raise unreachable(url, exc) from exc
    try:
        yield pool
    finally:
        await pool.close()


_OPEN = (psycopg.pq.TransactionStatus.INTRANS, psycopg.pq.TransactionStatus.INERROR)


def prepare_option(prepared: bool | None = None) -> dict[str, Any]:
    """Connection arguments for `SEATFLOW_PREPARED_STATEMENTS`: psycopg's own default (prepare
    after 5 runs), or never; None: what `prepare_by_default` set for this process."""
    if prepared is None:
        prepared = _prepared_by_default
    return {} if prepared else {"prepare_threshold": None}


def prepare_by_default(prepared: bool) -> None:
    """Whether connections opened without a say of their own may prepare statements (a pooler
    in transaction mode before PgBouncer 1.21 cannot carry them)."""
    global _prepared_by_default
    _prepared_by_default = prepared


@asynccontextmanager
async def lone_statements(conn: Connection) -> AsyncIterator[None]:
    """Autocommit for the block: no implicit BEGIN. A statement that stands alone (a key or a
    floor read at READ COMMITTED, a batch of telemetry inserted in one statement) is atomic by
    itself, and psycopg's implicit BEGIN and the COMMIT (or the pool's ROLLBACK on return) would
    be two round trips more than the statement; `pipelined_transaction` sends its own BEGIN.
    Not for statements that must share an outcome or a snapshot with another one."""
    await conn.set_autocommit(True)  # idle connection: a client-side switch, nothing is sent
    try:
        yield
    finally:
        await conn.set_autocommit(False)


@asynccontextmanager
async def pipelined_transaction(conn: Connection) -> AsyncIterator[None]:
    """One transaction whose statements travel together (psycopg's pipeline mode).

    BEGIN and COMMIT are sent as plain statements: psycopg's own `transaction()` syncs at its
    boundaries, and its implicit BEGIN syncs too, so either would add round trips. A statement
    only waits for the server when its result is read; the COMMIT rides with whatever is still
    unsent. An error raised by any statement — here, or at the final sync — leaves the
    transaction rolled back.

    The rollback is `conn.rollback()`, not a ROLLBACK statement: it also empties psycopg's
    prepared-statement cache. A statement that reached psycopg's prepare threshold in a pipeline
    that aborted before it ran is remembered as prepared although the server skipped its PREPARE,
    and every later run of it on this connection would fail (`prepared statement "_pg3_N" does
    not exist`) — seen as bursts of assignment errors after an outage, when many retries race.
    """
    # No implicit BEGIN: ours is queued like any statement. lone_statements hands the connection
    # back in its usual mode even when cancelled mid-ROLLBACK: the pool must get it as it lent it.
    async with lone_statements(conn):
        try:
            async with conn.pipeline():
                await conn.execute("BEGIN")
                yield
                await conn.execute("COMMIT")
        finally:
            if conn.info.transaction_status in _OPEN:  # failed before or at the COMMIT
                await conn.rollback()


#: SQLSTATEs that mean the server went away or will not take us now: a connection failure (class
#: 08), an administrator's or a crash's shutdown (57P01 / 57P02), "starting up / shutting down"
#: (57P03). libpq's own connection errors carry no SQLSTATE at all.
_OUTAGE_SQLSTATES = ("57P01", "57P02", "57P03")


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` — or anything in its cause chain — says the database cannot be reached now
    (as opposed to a query it refused: a constraint, a lock timeout, a serialization failure).

    Wrappers hide the cause (procrastinate's ConnectorException, our DatabaseUnavailable), so the
    chain is walked; a closed connection used again (InterfaceError) counts too."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _outage_itself(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _outage_itself(exc: BaseException) -> bool:
    if isinstance(exc, DatabaseUnavailable | PoolTimeout | PoolClosed | psycopg.InterfaceError):
        return True
    if not isinstance(exc, psycopg.OperationalError):
        return False
    state = exc.sqlstate
    return state is None or state.startswith("08") or state in _OUTAGE_SQLSTATES


async def probe(url: str, *, timeout: float = 3.0) -> None:
    """One fresh connection and one round trip; DatabaseUnavailable when either fails."""
    try:
        conn = await psycopg.AsyncConnection.connect(
            url, autocommit=True, connect_timeout=max(1, round(timeout))
        )
        async with conn:
            await asyncio.wait_for(conn.execute("SELECT 1"), timeout)
    except (psycopg.Error, OSError, TimeoutError) as exc:
        raise unreachable(url, exc) from exc
