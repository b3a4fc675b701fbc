"""Running the real `seatflow` CLI as a subprocess, with only the settings a test gives it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Variables of ours that a developer's shell may carry; a spawned process must not see them.
OWN_VARIABLES = ("FEATURE_", "SEATFLOW_", "DATABASE_URL")
#: ...except how to connect: a run through a pooler (`SEATFLOW_TEST_POOLER_URL`) hands its
#: processes the pooler's URL, and they need the connection setting that goes with it.
CONNECTION_VARIABLES = ("SEATFLOW_PREPARED_STATEMENTS",)


def clean_environment(**variables: str) -> dict[str, str]:
    """This process's environment without seatflow's variables, plus `variables`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k in CONNECTION_VARIABLES or not k.upper().startswith(OWN_VARIABLES)
    }
    env.update(variables)
    return env


def run_cli(
    cwd: Path, *args: str, database_url: str | None, timeout: float = 120, **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run `python -m seatflow.cli ARGS` with only the seatflow variables given here."""
    env = clean_environment(COLUMNS="200", NO_COLOR="1", TERM="dumb", **variables)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "seatflow.cli", *args],
        cwd=cwd,  # a clean directory: no `.env` can leak in
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
