"""Which database seatflow talks to, and the async connection pool to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from seatflow.errors import DatabaseUnavailable
from seatflow.settings import Settings
from seatflow.store.embedded import embedded_url

Connection = psycopg.AsyncConnection[dict[str, Any]]


def resolve_url(settings: Settings) -> str:
    """DATABASE_URL when set; otherwise the embedded server, started on demand."""
    if settings.database_url:
        return settings.database_url
    return embedded_url(settings.data_dir)


@asynccontextmanager
async def open_pool(
    url: str, *, min_size: int = 1, max_size: int = 10
) -> AsyncIterator[AsyncConnectionPool[Connection]]:
    """An open pool whose connections return rows as dicts; translated when unreachable."""
    pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        open=False,
        kwargs={"row_factory": dict_row, "autocommit": False},
        connection_class=psycopg.AsyncConnection,
    )
    try:
        await pool.open(wait=True, timeout=15)
    except Exception as exc:  # psycopg_pool raises PoolTimeout; never let it escape untranslated
        await pool.close()
        raise DatabaseUnavailable(f"cannot reach the database: {exc}") from exc
    try:
        yield pool
    finally:
        await pool.close()


_OPEN = (psycopg.pq.TransactionStatus.INTRANS, psycopg.pq.TransactionStatus.INERROR)


@asynccontextmanager
async def pipelined_transaction(conn: Connection) -> AsyncIterator[None]:
    """One transaction whose statements travel together (psycopg's pipeline mode).

    BEGIN and COMMIT are sent as plain statements: psycopg's own `transaction()` syncs at its
    boundaries, and its implicit BEGIN syncs too, so either would add round trips. A statement
    only waits for the server when its result is read; the COMMIT rides with whatever is still
    unsent. An error raised by any statement — here, or at the final sync — leaves the
    transaction rolled back.
    """
    await conn.set_autocommit(True)  # no implicit BEGIN: ours is queued like any statement
    try:
        async with conn.pipeline():
            await conn.execute("BEGIN")
            yield
            await conn.execute("COMMIT")
    finally:
        try:
            if conn.info.transaction_status in _OPEN:  # failed before or at the COMMIT
                await conn.execute("ROLLBACK")
        finally:  # even when cancelled mid-ROLLBACK: the pool must get it back as it lent it
            await conn.set_autocommit(False)
