"""Worker processes started by a command (the demo) rather than by an operator: the same
`seatflow worker` entry point, as child processes, stopped with SIGTERM (graceful: running jobs
finish, events are flushed) and killed only if they will not stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["worker_command", "worker_processes"]

#: Variables of ours the parent's environment must not leak into a worker started for a purpose.
_OWN_PREFIXES = ("FEATURE_ASSIGNMENT_PIPELINE_V3", "DATABASE_URL")


def worker_command(concurrency: int, name: str, *, simulated: bool = False) -> list[str]:
    """Several of these run on one machine: each serves its metrics on any free port."""
    command = [
        sys.executable,
        "-m",
        "seatflow.cli",
        "worker",
        "--concurrency",
        str(concurrency),
        "--name",
        name,
        "--metrics-port",
        "0",
    ]
    return [*command, "--simulated"] if simulated else command


@contextmanager
def worker_processes(
    url: str,
    count: int,
    *,
    concurrency: int,
    variables: Mapping[str, str],
    log_file: Path,
    simulated: bool = False,
    stop_timeout: float = 20.0,
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` workers on `url` with exactly `variables` as their seatflow settings; with
    `simulated`, every event they write is marked as a simulation's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_PREFIXES)}
    env.update(variables, DATABASE_URL=url)
    processes: list[subprocess.Popen[bytes]] = []
    with log_file.open("ab") as log:
        try:
            for index in range(count):
                processes.append(
                    _start(
                        worker_command(concurrency, f"worker-{index + 1}", simulated=simulated),
                        env,
                        log,
                    )
                )
            yield processes
        finally:
            stop_workers(processes, timeout=stop_timeout)


def _start(command: list[str], env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_workers(processes: list[subprocess.Popen[bytes]], *, timeout: float) -> None:
    """SIGTERM all, wait for each; SIGKILL whoever is still there after `timeout`."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
