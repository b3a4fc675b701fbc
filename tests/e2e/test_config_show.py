"""`seatflow config show` prints the effective settings with their sources and no password;
`seatflow --version` prints the installed version."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from support.cli import run_cli


def test_config_show_lists_every_setting_with_its_source_and_no_password(tmp_path: Path) -> None:
    """Each variable appears once as VARIABLE=value with its source; the environment wins over
    `.env`; DATABASE_URL's password is replaced by ***; exit 0 without touching the database."""
    (tmp_path / ".env").write_text(
        "FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOW=on\nSEATFLOW_HOLD_SECONDS=300\n"
    )
    url = "postgresql://app:hunter2@db.invalid:5432/seatflow"  # never connected to
    result = run_cli(
        tmp_path,
        "config",
        "show",
        database_url=url,
        SEATFLOW_HOLD_SECONDS="60",
        FEATURE_ASSIGNMENT_PIPELINE_V3_MAX_PARALLEL="99",
    )
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    rows = {}
    for line in result.stdout.splitlines():
        assignment, source = (part.strip() for part in line.split("  # "))
        variable, _, value = assignment.partition("=")
        rows[variable] = (value, source)
    assert rows["DATABASE_URL"] == ("postgresql://app:***@db.invalid:5432/seatflow", "environment")
    assert rows["SEATFLOW_HOLD_SECONDS"] == ("60", "environment")
    assert rows["FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOW"] == ("true", ".env")
    assert rows["FEATURE_ASSIGNMENT_PIPELINE_V3_MAX_PARALLEL"] == ("20", "environment")  # clamped
    assert rows["SEATFLOW_LOG_FORMAT"] == ("console", "default")
    assert rows["SEATFLOW_WORKER_METRICS_PORT"] == ("9464", "default")


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    """`seatflow --version` prints the package's version and exits 0."""
    result = run_cli(tmp_path, "--version", database_url=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"seatflow {version('seatflow')}"
