"""Fixtures for end-to-end tests: real `seatflow` processes on this test's database."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cli import clean_environment
from support.processes import Spawn


@pytest.fixture
def spawn_seatflow(db_url: str, tmp_path: Path) -> Iterator[Spawn]:
    """`spawn_seatflow("worker", "--concurrency", "2")` starts `python -m seatflow.cli …` on this
    test's database with V3 on, its output in tmp_path/<command>-<n>.log (n counts from 0), and
    keyword arguments as extra variables; every process is stopped at teardown. Workers take any
    free metrics port, so tests (and test runs) side by side never contend for 9464."""
    env = clean_environment(
        DATABASE_URL=db_url, FEATURE_ASSIGNMENT_PIPELINE_V3="true", SEATFLOW_WORKER_METRICS_PORT="0"
    )
    started: list[subprocess.Popen[str]] = []

    def spawn(*args: str, **variables: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "seatflow.cli", *args]
        with (tmp_path / f"{args[0]}-{len(started)}.log").open("w") as log:
            process = subprocess.Popen(
                command, cwd=tmp_path, env={**env, **variables}, stdout=log, stderr=log, text=True
            )
        started.append(process)
        return process

    yield spawn
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        process.wait(timeout=20)
