"""The procrastinate App: built by a function, never at import time, with every task registered.

PostgreSQL is the whole queue (no broker): jobs live in `procrastinate_jobs`, created by our
migrations. The periodic upkeep is deferred by every worker but runs once per tick across the
cluster (procrastinate records each tick); a queueing lock keeps a busy cluster from piling up
ticks. No `lock` on the upkeep: a tick stuck on a dead worker must not block the next one (the
stalled-jobs sweep itself would otherwise be the job that never runs again).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from procrastinate import App, JobContext, PsycopgConnector
from psycopg_pool import AsyncConnectionPool

from seatflow.jobs import tasks
from seatflow.jobs.queue import AUTO_ASSIGN
from seatflow.store.database import prepare_option

__all__ = ["PERIODIC", "STALLED_SWEEP", "build_app", "stalled_sweep_seconds"]

Upkeep = Callable[[JobContext, int], Awaitable[int]]

STALLED_SWEEP = "seatflow.retry_stalled_jobs"

#: name → (cron with seconds as the 6th field, body). Names are stored in the database.
PERIODIC: dict[str, tuple[str, Upkeep]] = {
    STALLED_SWEEP: ("* * * * * */15", tasks.retry_stalled_jobs),
    "seatflow.recover_stuck": ("* * * * * */30", tasks.recover_stuck),
    "seatflow.requeue_orphans": ("* * * * * */30", tasks.requeue_orphans),
    "seatflow.release_expired_holds": ("* * * * *", tasks.release_expired_holds),
    "seatflow.release_no_shows": ("* * * * *", tasks.release_no_shows),
    "seatflow.give_whole_turns": ("* * * * *", tasks.give_whole_turns),
    "seatflow.extend_overstays": ("* * * * *", tasks.extend_overstays),
}


#: A connection handed back to the queue's pool this recently is taken as alive unasked.
RECENTLY_USED_SECONDS = 5.0


async def _autocommit(conn: psycopg.AsyncConnection[Any]) -> None:
    await conn.set_autocommit(True)


class _RecentUseCheck:
    """procrastinate has its pool check every connection with a round trip before each use: two
    or three per job. A connection that came back moments ago and is not known broken is alive
    for every practical purpose, so only one idle for longer is checked against the server."""

    def __init__(self) -> None:
        self._returned: WeakKeyDictionary[psycopg.AsyncConnection[Any], float] = WeakKeyDictionary()

    async def reset(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self._returned[conn] = time.monotonic()

    async def check(self, conn: psycopg.AsyncConnection[Any]) -> None:
        returned = self._returned.get(conn)
        recent = returned is not None and time.monotonic() - returned < RECENTLY_USED_SECONDS
        if recent and not conn.broken:
            return
        await AsyncConnectionPool.check_connection(conn)

    def pool(self, **kwargs: Any) -> AsyncConnectionPool[Any]:
        """procrastinate's `pool_factory`: its arguments, with our check and reset instead."""
        return AsyncConnectionPool(**{**kwargs, "check": self.check, "reset": self.reset})


def stalled_sweep_seconds(stalled_after_seconds: float) -> int:
    """How often the stalled-jobs sweep runs: twice per `SEATFLOW_STALLED_AFTER_SECONDS`, at
    most every 15 s, so a dead worker's jobs are back within about 1.5 × that setting."""
    return max(1, min(15, int(stalled_after_seconds // 2)))


def build_app(
    url: str | None = None,
    *,
    pool_size: int = 4,
    stalled_sweep_every: int = 15,
    prepared: bool | None = None,
) -> App:
    """An App for `url` (its pool opens only with `open_async`; deferring on a caller's
    connection needs no open App at all).

    The queue's own connections are autocommit: each of procrastinate's statements is one atomic
    function call, so wrapping it in BEGIN / COMMIT would only add two round trips per fetch and
    per finish. And a connection is checked against the server only after it sat idle a while.
    `stalled_sweep_every`: seconds between stalled-jobs sweeps (`stalled_sweep_seconds`);
    `prepared=False`: its connections never prepare statements (`SEATFLOW_PREPARED_STATEMENTS`;
    None: the process's default, `store.database.prepare_by_default`).
    """
    checks = _RecentUseCheck()
    connector = (
        PsycopgConnector(
            conninfo=url,
            min_size=1,
            max_size=pool_size,
            configure=_autocommit,
            pool_factory=checks.pool,
            kwargs=prepare_option(prepared),
        )
        if url
        else PsycopgConnector(configure=_autocommit)
    )
    app = App(connector=connector)
    app.task(name=AUTO_ASSIGN, pass_context=True)(tasks.auto_assign)
    for name, (cron, body) in PERIODIC.items():
        if name == STALLED_SWEEP:
            cron = f"* * * * * */{stalled_sweep_every}"
        task = app.task(name=name, pass_context=True, queueing_lock=name)(body)
        app.periodic(cron=cron)(task)
    return app
