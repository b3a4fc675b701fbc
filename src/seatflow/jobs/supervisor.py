"""procrastinate's worker loop, run again after the database went away — in the same process.

procrastinate stops its worker when the database disappears: the LISTEN connection, the
heartbeat or a fetch fails, the loop shuts down (letting running jobs end), and unregistering the
worker then fails too, so `run()` raises a `ConnectorException` (or returns, when the server was
back in time for the unregister). This supervisor catches exactly that: it records the outage,
probes the server with capped, jittered backoff, and starts a fresh `Worker` once it answers.

Job guarantees stay procrastinate's and the upkeep's: a job that was running when the server
vanished is left `doing` under the old worker id. On the way back the old id is unregistered (its
jobs lose their worker) and the stalled-jobs sweep runs at once, so those jobs are queued again
now rather than when the old heartbeat goes stale. A booking whose job failed outright is given a
new one by the orphan sweep.

Signals are ours, not procrastinate's: the first SIGINT / SIGTERM stops the running loop
gracefully (jobs finish) or ends a wait for the database at once; a second one is the default.
A graceful stop while the database is away could never end gracefully: running jobs wait on the
pools (30 s each) and the worker's unregistering waits on procrastinate's. So while a stop is
under way the supervisor asks the server every few seconds, and when it does not answer it
abandons the loop: running jobs are cancelled (they stay `doing` under this worker's id, and any
worker's stalled-jobs sweep requeues them) and procrastinate's pool is closed so its waits end.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import structlog
from procrastinate import App, PsycopgConnector
from procrastinate.worker import Worker
from psycopg_pool import AsyncConnectionPool

from seatflow.errors import DatabaseUnavailable
from seatflow.jobs.maintenance import retry_stalled_jobs
from seatflow.pipeline.outage import DatabaseHealth, ReconnectBackoff
from seatflow.store.database import is_unavailable

__all__ = ["HEALTHY_RUN_SECONDS", "WorkerSupervisor"]

log = structlog.get_logger(__name__)

#: A loop that ran this long before stopping is not failing over and over: restart it at once.
HEALTHY_RUN_SECONDS = 30.0
#: While a stop is under way, how often the server is asked whether it is still there.
STOP_PROBE_SECONDS = 2.0


class WorkerSupervisor:
    """Runs procrastinate's `Worker` until stopped, starting a new one after each outage."""

    def __init__(
        self,
        app: App,
        health: DatabaseHealth,
        worker_options: Mapping[str, Any],
        *,
        pools: Sequence[AsyncConnectionPool[Any]] = (),
        backoff: ReconnectBackoff | None = None,
        stalled_after: float = 30.0,
    ) -> None:
        self._app = app
        self._stalled_after = stalled_after
        self._health = health
        self._options = dict(worker_options)
        self._pools = tuple(pools)
        self._backoff = backoff or ReconnectBackoff()
        self._stop = asyncio.Event()
        self._current: Worker | None = None
        self._watching_stop: asyncio.Task[None] | None = None
        self._rng = random.Random()
        self.restarts = 0

    def stop(self) -> None:
        """Graceful: the running loop lets its jobs finish; a wait for the database ends now."""
        self._stop.set()
        if self._current is not None:
            self._current.stop()  # type: ignore[no-untyped-call]  # procrastinate leaves it bare
            if self._watching_stop is None:
                self._watching_stop = asyncio.create_task(self._abandon_if_away(self._current))

    async def _abandon_if_away(self, worker: Worker) -> None:
        """Until the stopping loop ends: when the server stops answering, abandon the loop."""
        while self._current is worker:
            await asyncio.sleep(STOP_PROBE_SECONDS)
            if self._current is not worker or await self._health.answers():
                continue
            running = list(worker._running_jobs)  # noqa: SLF001  # procrastinate keeps them private
            log.warning("worker_stop_abandons_jobs", running=len(running))
            for task in running:
                task.cancel()
            connector = self._app.connector
            if isinstance(connector, PsycopgConnector):
                await connector.pool.close()  # its waiting callers fail now, not in 30 s
            return

    async def run(self, *, install_signal_handlers: bool = True) -> None:
        try:
            await self._run(install_signal_handlers)
        finally:
            if self._watching_stop is not None:
                self._watching_stop.cancel()
                with suppress(asyncio.CancelledError):
                    await self._watching_stop

    async def _run(self, install_signal_handlers: bool) -> None:
        with self._signals(install_signal_handlers):
            quick_failures = 0
            while not self._stop.is_set():
                started = time.monotonic()
                stopped_by = await self._run_once()
                if self._stop.is_set():
                    return
                quick = time.monotonic() - started < HEALTHY_RUN_SECONDS
                quick_failures = quick_failures + 1 if quick else 1
                if not await self._come_back(stopped_by, quick_failures):
                    return
                self.restarts += 1
                log.info("worker_loop_restarted", restarts=self.restarts)

    async def _run_once(self) -> tuple[BaseException, int | None]:
        """One procrastinate loop; why it stopped and the worker id it left registered."""
        worker = Worker(app=self._app, install_signal_handlers=False, **self._options)
        self._current = worker  # no await between this and run(): a stop cannot slip between
        try:
            await worker.run()  # type: ignore[no-untyped-call]  # procrastinate leaves it bare
        except Exception as exc:
            if not is_unavailable(exc):
                raise  # a bug, not an outage: the process fails as it always did
            return exc, worker.worker_id
        finally:
            self._current = None
        reason = DatabaseUnavailable("procrastinate's worker loop stopped on its own")
        return reason, worker.worker_id

    async def _come_back(self, stopped_by: tuple[BaseException, int | None], attempt: int) -> bool:
        """Wait for the database, clean up after the old loop; False when asked to stop."""
        error, old_worker_id = stopped_by
        self._health.lost(error)
        if not await self._health.wait_until_back(self._stop):
            return False
        await self._release(old_worker_id)
        with suppress(TimeoutError):  # a loop that keeps failing is not restarted in a hurry
            await asyncio.wait_for(self._stop.wait(), self._backoff.delay(attempt, self._rng))
        return not self._stop.is_set()

    async def _release(self, old_worker_id: int | None) -> None:
        """Drop broken pooled connections; requeue the jobs the old loop left `doing`."""
        for pool in self._pools:
            with suppress(Exception):
                await pool.check()
        manager = self._app.job_manager
        try:
            if old_worker_id is not None:
                await manager.unregister_worker(old_worker_id)
            await retry_stalled_jobs(manager, seconds_since_heartbeat=self._stalled_after)
        except Exception as exc:  # the server went away again: the next loop will notice
            log.warning("worker_release_failed", error=type(exc).__name__)

    @contextmanager
    def _signals(self, install: bool) -> Iterator[None]:
        if not install:
            yield
            return
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)

        def uninstall() -> None:
            for number in signals:
                loop.remove_signal_handler(number)

        def first_signal() -> None:
            uninstall()  # a second signal takes the default action
            log.info("worker_stop_requested")
            self.stop()

        for number in signals:
            loop.add_signal_handler(number, first_signal)
        try:
            yield
        finally:
            uninstall()
