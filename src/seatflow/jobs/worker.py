"""One worker process: services wired once (bootstrap), then procrastinate's worker loop.

Run as many processes as you like against one database: jobs are taken with
`FOR UPDATE SKIP LOCKED`, a booking's jobs never overlap (the job lock, then the coordinator's
advisory lock), and per-restaurant permits are cluster-wide. SIGINT / SIGTERM stop it gracefully:
running jobs finish and the event sink is flushed.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from seatflow.bootstrap import services
from seatflow.jobs.app import build_app
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.jobs.tasks import DEPS_KEY, WorkerDeps
from seatflow.settings import Settings

__all__ = ["WorkerOptions", "run_worker"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerOptions:
    concurrency: int = 2
    name: str | None = None
    #: Upper bound between polls; LISTEN/NOTIFY wakes the worker sooner for new jobs, and the
    #: poll picks up delayed retries when they come due.
    polling_interval: float = 1.0
    heartbeat_interval: float = 10.0
    install_signal_handlers: bool = True


async def run_worker(settings: Settings, url: str, options: WorkerOptions | None = None) -> None:
    """Work until stopped by a signal (or cancelled)."""
    options = options or WorkerOptions()
    app = build_app(url, pool_size=options.concurrency + 2)
    async with (
        services(settings, url, pool_size=options.concurrency + 1) as wired,
        app.open_async(),
    ):
        deps = WorkerDeps(services=wired, queue=ProcrastinateQueue(app))
        log.info("worker_starting", concurrency=options.concurrency, name=options.name)
        await app.run_worker_async(
            concurrency=options.concurrency,
            name=options.name or "seatflow",
            additional_context={DEPS_KEY: deps},
            fetch_job_polling_interval=options.polling_interval,
            update_heartbeat_interval=options.heartbeat_interval,
            install_signal_handlers=options.install_signal_handlers,
            delete_jobs="successful",
        )
    log.info("worker_stopped", name=options.name)
