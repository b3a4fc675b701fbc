"""`seatflow worker [--concurrency N] [--metrics-port P]`: a job worker; start several, they share
the queue. Each serves its Prometheus metrics on its own port (docs/operations.md)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from seatflow.cli.runtime import ready_url, settings_of
from seatflow.jobs.worker import WorkerOptions, run_worker


def worker_command(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs this process runs at once.")
    ] = 2,
    name: Annotated[str | None, typer.Option(help="Worker name in logs.")] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            help="Port of this worker's /metrics (0: any free port, logged at start). "
            "Default: SEATFLOW_WORKER_METRICS_PORT (9464).",
            show_default=False,
        ),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option(help="Interface the metrics port listens on.")
    ] = "127.0.0.1",
    simulated: Annotated[
        bool,
        typer.Option(
            "--simulated",
            hidden=True,  # for the demo's own workers, never an operator's
            help="Mark every event this worker writes as simulated.",
        ),
    ] = False,
) -> None:
    """Run auto-assign jobs and the periodic upkeep until SIGINT / SIGTERM."""
    settings = settings_of(ctx)
    url = ready_url(settings)
    options = WorkerOptions(
        concurrency=concurrency,
        name=name,
        metrics_host=metrics_host,
        metrics_port=settings.worker_metrics_port if metrics_port is None else metrics_port,
        simulated=simulated,
    )
    asyncio.run(run_worker(settings, url, options))
