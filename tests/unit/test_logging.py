"""Log set-up: JSON lines on request (seatflow's events and libraries' records alike), and the
start-up line carrying the flags in effect without the database password."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from seatflow.logging import configure_logging, log_startup
from seatflow.settings import Settings


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Leave structlog and the root logger as this test found them."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    structlog.reset_defaults()
    root.handlers, root.level = handlers, level
    logging.getLogger("uvicorn.error").setLevel(logging.NOTSET)


def _lines(captured: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in captured.splitlines()]


def test_json_format_writes_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    """With json, seatflow's events and standard-library records are each one JSON object per
    line with event, level and timestamp; records below the level are left out."""
    configure_logging("info", "json")
    structlog.get_logger("t").info("assignment_job_done", booking_id="b1", duration_ms=3.5)
    structlog.get_logger("t").debug("too_chatty")
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)  # as uvicorn.run does
    logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://x")
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        structlog.get_logger("t").exception("job_crashed")
    ours, library, crash = _lines(capsys.readouterr().err)
    assert ours["event"] == "assignment_job_done" and ours["booking_id"] == "b1"
    assert ours["level"] == "info" and str(ours["timestamp"]).endswith("Z")
    assert library["event"] == "Uvicorn running on http://x"
    assert library["logger"] == "uvicorn.error"
    assert crash["event"] == "job_crashed" and "ValueError: boom" in str(crash["exception"])


def test_console_format_is_one_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    """The default console format writes the event name and its key=value pairs on one line."""
    configure_logging("warning", "console")
    structlog.get_logger("t").info("hidden")
    structlog.get_logger("t").warning("metrics_backlog_unavailable", error="OperationalError")
    (line,) = capsys.readouterr().err.splitlines()
    assert "metrics_backlog_unavailable" in line and "error=OperationalError" in line


def test_libraries_chatter_stays_below_warning(capsys: pytest.CaptureFixture[str]) -> None:
    """Libraries' info lines (procrastinate per job, alembic per step) are left out even at
    debug; their warnings are kept."""
    configure_logging("debug", "json")
    logging.getLogger("procrastinate.worker").info("Job started")
    logging.getLogger("alembic.runtime.migration").info("Running upgrade")
    logging.getLogger("procrastinate.worker").warning("Job stalled")
    assert [line["event"] for line in _lines(capsys.readouterr().err)] == ["Job stalled"]


def test_startup_line_names_role_and_flags_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`seatflow_starting` carries the role, every rollout flag and the database, redacted."""
    configure_logging("info", "json")
    settings = Settings(  # type: ignore[call-arg]  # aliases are the variables' names
        _env_file=None,
        DATABASE_URL="postgresql://app:hunter2@db:5432/seatflow",
        FEATURE_ASSIGNMENT_PIPELINE_V3="true",
        FEATURE_ASSIGNMENT_PIPELINE_V3_RESTAURANTS="r2, r1",
        FEATURE_ASSIGNMENT_PIPELINE_V3_PERCENT="25",
    )
    log_startup(settings, "worker", concurrency=4)
    (line,) = _lines(capsys.readouterr().err)
    assert line["event"] == "seatflow_starting"
    assert (line["role"], line["concurrency"]) == ("worker", 4)
    assert (line["v3"], line["v3_shadow"], line["v3_max_parallel"]) == (True, False, 3)
    assert (line["v3_restaurants"], line["v3_percent"]) == (["r1", "r2"], 25)
    assert line["database"] == "postgresql://app:***@db:5432/seatflow"
