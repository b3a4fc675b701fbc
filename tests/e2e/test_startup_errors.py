"""Start-up refuses bad configuration and an unreachable server with one line naming the variable
(or the host and port), a non-zero exit and no traceback — for every command."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from support.cli import run_cli

#: Every command that reaches the database, as an operator would type it.
DATABASE_COMMANDS = [
    ("db", "status"),
    ("db", "migrate"),
    ("floor", "list"),
    ("rollout", "status"),
    ("worker",),
    ("serve",),
]


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            {"FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOWW": "true"},
            "unknown variable FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOWW (in the environment) — "
            "did you mean FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOW?",
        ),
        ({"SEATFLOW_HOLD_SECS": "60"}, "unknown variable SEATFLOW_HOLD_SECS"),
        ({"SEATFLOW_LOG_LEVEL": "loud"}, "invalid setting SEATFLOW_LOG_LEVEL='loud'"),
        ({"SEATFLOW_LOG_FORMAT": "xml"}, "invalid setting SEATFLOW_LOG_FORMAT='xml'"),
        ({"DATABASE_URL": "not a url"}, "invalid setting DATABASE_URL='not a url': not a URL"),
        (
            {"DATABASE_URL": "mysql://app:hunter2@db/seatflow"},
            "invalid setting DATABASE_URL='mysql://app:***@db/seatflow': the scheme 'mysql' is "
            "not PostgreSQL",
        ),
    ],
    ids=["misspelt-flag", "unknown-setting", "log-level", "log-format", "not-a-url", "mysql"],
)
def test_bad_configuration_stops_the_worker_naming_the_variable(
    tmp_path: Path, variables: dict[str, str], expected: str
) -> None:
    """A misspelt or unknown variable of ours, a bad log level or format, or a DATABASE_URL that
    is not PostgreSQL exits 2 with one line naming it (a password never shown)."""
    result = run_cli(tmp_path, "worker", database_url=None, timeout=60, **variables)
    assert result.returncode == 2, result.stderr
    line = _one_line(result)
    assert line.startswith("error: ") and expected in line
    assert "hunter2" not in result.stderr


def test_an_unknown_variable_in_dotenv_stops_start_up(tmp_path: Path) -> None:
    """The working directory's `.env` is held to the same names as the environment."""
    (tmp_path / ".env").write_text("FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOWW=true\n")
    result = run_cli(tmp_path, "floor", "list", database_url=None, timeout=60)
    assert result.returncode == 2
    assert "unknown variable FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOWW (in the .env)" in _one_line(
        result
    )


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_a_closed_port_is_one_line_naming_host_port_and_database_url(
    tmp_path: Path, closed_port: int, command: tuple[str, ...]
) -> None:
    """With DATABASE_URL at a port where no server listens, every command exits 1 with one line
    giving the host, the port, DATABASE_URL and libpq's reason — no SQLAlchemy wording."""
    url = f"postgresql://postgres@127.0.0.1:{closed_port}/seatflow"
    result = run_cli(tmp_path, *command, database_url=url, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _one_line(result) == (
        f"error: cannot reach PostgreSQL at 127.0.0.1:{closed_port} (DATABASE_URL): "
        "Connection refused"
    )


def test_a_short_session_secret_stops_serve_naming_the_variable(tmp_path: Path) -> None:
    """`serve` with a SEATFLOW_SESSION_SECRET under 32 characters exits 2 in one line, the
    secret itself never shown."""
    result = run_cli(
        tmp_path, "serve", database_url=None, timeout=60, SEATFLOW_SESSION_SECRET="hunter2"
    )
    assert result.returncode == 2, result.stderr
    line = _one_line(result)
    assert line.startswith("error: invalid setting SEATFLOW_SESSION_SECRET='***': too short")
    assert "hunter2" not in result.stderr + result.stdout
