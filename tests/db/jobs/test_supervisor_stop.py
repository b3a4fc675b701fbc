"""A worker stopped while its database is away: it exits promptly instead of waiting out a
graceful shutdown that can never finish (running jobs and the unregistering wait on the pools).

On a cluster of the test's own, stopped mid-job; the job never ends by itself, so only the
supervisor's abandoning of the loop lets the worker stop before the 60 s grace."""

from __future__ import annotations

import asyncio
import time

from seatflow.jobs import build_app
from seatflow.jobs.supervisor import WorkerSupervisor
from seatflow.pipeline.metrics import Metrics
from seatflow.pipeline.outage import DatabaseHealth
from seatflow.store.embedded import ensure_database, with_database
from seatflow.store.migrate import migrate
from support.cluster import temporary_cluster

GRACE_SECONDS = 60.0


async def test_a_stop_while_the_database_is_away_abandons_the_running_job() -> None:
    with temporary_cluster() as cluster:
        ensure_database(cluster.url, "seatflow")
        url = with_database(cluster.url, "seatflow")
        migrate(url)
        app = build_app(url, pool_size=3)
        started = asyncio.Event()

        @app.task(name="test.stuck")
        async def stuck() -> None:
            started.set()
            await asyncio.Event().wait()  # ends only when cancelled

        async with app.open_async():
            supervisor = WorkerSupervisor(
                app,
                DatabaseHealth(url, Metrics(), component="worker"),
                {
                    "concurrency": 1,
                    "fetch_job_polling_interval": 0.2,
                    "shutdown_graceful_timeout": GRACE_SECONDS,
                },
            )
            running = asyncio.create_task(supervisor.run(install_signal_handlers=False))
            await stuck.defer_async()
            await asyncio.wait_for(started.wait(), 30)
            await asyncio.to_thread(cluster.stop, "fast")
            stopping = time.monotonic()
            supervisor.stop()
            await asyncio.wait_for(running, GRACE_SECONDS / 2)
            assert time.monotonic() - stopping < GRACE_SECONDS / 2
