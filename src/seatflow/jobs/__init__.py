"""Assignment jobs on procrastinate (PostgreSQL is the whole queue): the queue the API and the
demo write to, the worker that runs the router, and the upkeep that loses no booking."""

from __future__ import annotations

from seatflow.jobs.app import build_app
from seatflow.jobs.queue import AUTO_ASSIGN, ProcrastinateQueue, booking_lock
from seatflow.jobs.worker import WorkerOptions, run_worker

__all__ = [
    "AUTO_ASSIGN",
    "ProcrastinateQueue",
    "WorkerOptions",
    "booking_lock",
    "build_app",
    "run_worker",
]
