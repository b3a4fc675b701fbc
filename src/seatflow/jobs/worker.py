"""One worker process: services wired once (bootstrap), then procrastinate's worker loop.

Run as many processes as you like against one database: jobs are taken with
`FOR UPDATE SKIP LOCKED`, a booking's jobs never overlap (the job lock, then the coordinator's
advisory lock), and per-restaurant permits are cluster-wide. SIGINT / SIGTERM stop it gracefully:
running jobs finish and the event sink is flushed.

Each process serves its own Prometheus metrics (`metrics_port`; see jobs.metrics_server) and
starts by logging the flags it runs with (`seatflow_starting`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import structlog
from procrastinate import App

from seatflow.bootstrap import services
from seatflow.jobs.app import build_app
from seatflow.jobs.metrics_server import backlog_refresher, metrics_endpoint
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.jobs.tasks import DEPS_KEY, WorkerDeps
from seatflow.logging import log_startup
from seatflow.pipeline.metrics import Metrics
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
    #: Where Prometheus scrapes this worker; port 0 takes any free port, None serves nothing.
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None
    #: A worker started by `seatflow demo --database`: its events are marked simulated.
    simulated: bool = False


async def run_worker(settings: Settings, url: str, options: WorkerOptions | None = None) -> None:
    """Work until stopped by a signal (or cancelled)."""
    options = options or WorkerOptions()
    metrics = Metrics()
    app = build_app(url, pool_size=options.concurrency + 2)
    with _endpoint(metrics, options) as metrics_port:  # a taken port fails before any connection
        async with (
            services(
                settings, url, pool_size=options.concurrency + 1, simulated=options.simulated
            ) as wired,
            app.open_async(),
            backlog_refresher(metrics, url, wired.clock),
        ):
            metrics.watch(wired.coordinator.breaker, wired.sink)
            deps = WorkerDeps(services=wired, queue=ProcrastinateQueue(app), metrics=metrics)
            log_startup(
                settings,
                "worker",
                name=options.name,
                concurrency=options.concurrency,
                metrics=None if metrics_port is None else f"{options.metrics_host}:{metrics_port}",
            )
            await _work(app, deps, options)
    log.info("worker_stopped", name=options.name)


@contextmanager
def _endpoint(metrics: Metrics, options: WorkerOptions) -> Iterator[int | None]:
    if options.metrics_port is None:
        yield None
        return
    with metrics_endpoint(metrics, options.metrics_host, options.metrics_port) as port:
        yield port


async def _work(app: App, deps: WorkerDeps, options: WorkerOptions) -> None:
    await app.run_worker_async(
        concurrency=options.concurrency,
        name=options.name or "seatflow",
        additional_context={DEPS_KEY: deps},
        fetch_job_polling_interval=options.polling_interval,
        update_heartbeat_interval=options.heartbeat_interval,
        install_signal_handlers=options.install_signal_handlers,
        delete_jobs="successful",
    )
