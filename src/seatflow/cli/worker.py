"""`seatflow worker [--concurrency N]`: a job worker; start several, they share the queue."""

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
) -> None:
    """Run auto-assign jobs and the periodic upkeep until SIGINT / SIGTERM."""
    settings = settings_of(ctx)
    url = ready_url(settings)
    options = WorkerOptions(concurrency=concurrency, name=name)
    asyncio.run(run_worker(settings, url, options))
