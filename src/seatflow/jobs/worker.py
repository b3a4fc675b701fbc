"""One worker process: services wired once (bootstrap), then procrastinate's worker loop.

Run as many processes as you like against one database: jobs are taken with
`FOR UPDATE SKIP LOCKED`, a booking's jobs never overlap (the job lock, then the coordinator's
advisory lock), and per-restaurant permits are cluster-wide. SIGINT / SIGTERM stop it gracefully:
running jobs finish and the event sink is flushed.

A database restart or outage does not end the process: procrastinate's loop stops, and
jobs.supervisor waits for the server and starts it again (see docs/operations.md).

Each process also runs the webhook relay (jobs.webhooks: the outbox delivered to receivers).

Each process serves its own Prometheus metrics (`metrics_port`; see jobs.metrics_server) and
starts by logging the flags it runs with (`seatflow_starting`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import structlog
from procrastinate import App, PsycopgConnector
from psycopg_pool import AsyncConnectionPool

from seatflow.bootstrap import services
from seatflow.jobs.app import build_app, stalled_sweep_seconds
from seatflow.jobs.metrics_server import backlog_refresher, metrics_endpoint
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.jobs.supervisor import WorkerSupervisor
from seatflow.jobs.tasks import DEPS_KEY, WorkerDeps
from seatflow.jobs.webhooks import relaying
from seatflow.logging import log_startup
from seatflow.pipeline.metrics import Metrics
from seatflow.pipeline.outage import DatabaseHealth
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
    #: None: `SEATFLOW_WORKER_HEARTBEAT_SECONDS`.
    heartbeat_interval: float | None = None
    install_signal_handlers: bool = True
    #: Where Prometheus scrapes this worker; port 0 takes any free port, None serves nothing.
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None
    #: A worker started by `seatflow demo --database`: its events are marked simulated.
    simulated: bool = False
    #: On a stop, how long running jobs may take before they are aborted (and re-queued).
    shutdown_grace_seconds: float = 30.0


async def run_worker(settings: Settings, url: str, options: WorkerOptions | None = None) -> None:
    """Work until stopped by a signal (or cancelled)."""
    options = options or WorkerOptions()
    metrics = Metrics()
    app = build_app(
        url,
        pool_size=options.concurrency + 2,
        stalled_sweep_every=stalled_sweep_seconds(settings.stalled_after_seconds),
        prepared=settings.prepared_statements,
    )
    with _endpoint(metrics, options) as metrics_port:  # a taken port fails before any connection
        async with (
            services(
                settings, url, pool_size=options.concurrency + 2, simulated=options.simulated
            ) as wired,
            app.open_async(),
            backlog_refresher(metrics, url, wired.clock),
            relaying(wired, metrics),
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
            health = DatabaseHealth(url, metrics, component="worker")
            await _work(app, deps, options, health)
    log.info("worker_stopped", name=options.name)


@contextmanager
def _endpoint(metrics: Metrics, options: WorkerOptions) -> Iterator[int | None]:
    if options.metrics_port is None:
        yield None
        return
    with metrics_endpoint(metrics, options.metrics_host, options.metrics_port) as port:
        yield port


async def _work(app: App, deps: WorkerDeps, options: WorkerOptions, health: DatabaseHealth) -> None:
    """procrastinate's loop under the supervisor that restarts it after an outage."""
    settings = deps.services.settings
    heartbeat = options.heartbeat_interval or settings.worker_heartbeat_seconds
    supervisor = WorkerSupervisor(
        app,
        health,
        {
            "concurrency": options.concurrency,
            "name": options.name or "seatflow",
            "additional_context": {DEPS_KEY: deps},
            "fetch_job_polling_interval": options.polling_interval,
            "update_heartbeat_interval": heartbeat,
            "shutdown_graceful_timeout": options.shutdown_grace_seconds,
            "delete_jobs": "successful",
        },
        pools=(deps.services.pool, *_queue_pool(app)),
        stalled_after=settings.stalled_after_seconds,
    )
    await supervisor.run(install_signal_handlers=options.install_signal_handlers)


def _queue_pool(app: App) -> tuple[AsyncConnectionPool[Any], ...]:
    """procrastinate's own pool (open inside `open_async`), checked after an outage too."""
    connector = app.connector
    return (connector.pool,) if isinstance(connector, PsycopgConnector) else ()
