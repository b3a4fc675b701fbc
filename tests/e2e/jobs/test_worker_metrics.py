"""A real `seatflow worker` process is watchable: its metrics endpoint counts the assignments it
made by outcome, it logs one JSON line per job and the flags it started with, and a metrics port
already taken stops it with one line."""

from __future__ import annotations

import json
import socket
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from e2e.jobs.kit import bookings_with_jobs, fetch, wait_for
from support.cli import run_cli
from support.processes import Spawn

CONFIRMABLE = [4, 2, 6, 3, 5]  # the sample floor seats each of these, an hour apart
TOO_LARGE = [200, 150]  # larger than any table combination: straight to manual review
FINAL = ("confirmed", "manual_review")  # outcomes that settle a booking


def _log(tmp_path: Path) -> list[dict[str, Any]]:
    """The worker's log so far, every complete line of which must be one JSON object."""
    *complete, _partial = (tmp_path / "worker-0.log").read_text().split("\n")
    return [json.loads(line) for line in complete]


def _events(tmp_path: Path, event: str) -> list[dict[str, Any]]:
    return [line for line in _log(tmp_path) if line["event"] == event]


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _start_worker(spawn_seatflow: Spawn, tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    """A JSON-logging worker on any free metrics port; its metrics URL, from its start-up line."""
    worker = spawn_seatflow("worker", "--concurrency", "2", SEATFLOW_LOG_FORMAT="json")

    def started() -> bool:
        assert worker.poll() is None, (tmp_path / "worker-0.log").read_text()
        return bool(_events(tmp_path, "seatflow_starting"))

    wait_for(started, "the worker's start-up line", timeout=60)
    (started,) = _events(tmp_path, "seatflow_starting")
    return worker, f"http://{started['metrics']}/metrics"


async def test_worker_metrics_count_its_assignments_by_outcome(
    db_url: str, spawn_seatflow: Spawn, tmp_path: Path
) -> None:
    """After a run, the worker's /metrics counts as many V3 confirmations and manual reviews as
    the database holds, one `assignment_job_done` JSON line per decision counted, and its
    start-up line names the role and the flags in effect."""
    bookings = await bookings_with_jobs(db_url, CONFIRMABLE + TOO_LARGE)
    _, metrics_url = _start_worker(spawn_seatflow, tmp_path)
    # Every booking settled: two jobs of one restaurant may race for a table, and the loser is
    # retried a few seconds later (a `retry` line first), so count settled bookings, not lines.
    wait_for(
        lambda: len(_settled(_events(tmp_path, "assignment_job_done"))) == len(bookings),
        "a final decision for every booking",
        timeout=60,
    )
    scraped = _samples(httpx.get(metrics_url, timeout=5).text)
    states = Counter(
        row["assignment_state"]
        for row in fetch(
            db_url, "SELECT assignment_state FROM bookings WHERE id = ANY(%s)", bookings
        )
    )
    assert states == {"confirmed": len(CONFIRMABLE), "manual_review": len(TOO_LARGE)}

    def counted(outcome: str) -> float:
        labels = frozenset({("pipeline", "v3"), ("outcome", outcome)})
        return scraped.get(("seatflow_assignments_total", labels), 0.0)

    assert counted("confirmed") == states["confirmed"]
    assert counted("manual_review") == states["manual_review"]
    done = _events(tmp_path, "assignment_job_done")
    decisions = sum(v for (name, _), v in scraped.items() if name == "seatflow_assignments_total")
    assert decisions == len(done)
    v3 = frozenset({("pipeline", "v3")})
    assert scraped[("seatflow_assignment_decision_seconds_count", v3)] == len(done)
    assert scraped[("seatflow_breaker_state", frozenset({("state", "closed")}))] == 1.0
    assert ("seatflow_events_dropped_total", frozenset()) in scraped
    assert ("seatflow_queue_lag_seconds", frozenset()) in scraped
    assert ("seatflow_jobs_due", frozenset()) in scraped
    review = frozenset({("pipeline", "v3"), ("reason", "party_too_large")})
    assert scraped[("seatflow_manual_reviews_total", review)] == len(TOO_LARGE)
    _assert_job_lines(done, {str(b) for b in bookings})
    _assert_startup_line(tmp_path)


def _settled(done: list[dict[str, Any]]) -> set[str]:
    return {line["booking_id"] for line in done if line["outcome"] in FINAL}


def _assert_job_lines(done: list[dict[str, Any]], bookings: set[str]) -> None:
    """Each line says booking, trigger, route, outcome, reason, attempt and duration — and
    nothing about the guest."""
    assert {line["booking_id"] for line in done} == bookings
    for line in done:
        assert line["level"] == "info" and line["route"] == "v3"
        assert {"trigger", "outcome", "reason", "attempt", "duration_ms"} <= set(line)
        assert line["duration_ms"] >= 0
        assert not {key for key in line if key.startswith("guest")}
    outcomes = Counter(line["outcome"] for line in done)
    assert (outcomes["confirmed"], outcomes["manual_review"]) == (
        len(CONFIRMABLE),
        len(TOO_LARGE),
    )


def _assert_startup_line(tmp_path: Path) -> None:
    (started,) = _events(tmp_path, "seatflow_starting")
    assert (started["role"], started["concurrency"]) == ("worker", 2)
    assert (started["v3"], started["v3_shadow"], started["v3_max_parallel"]) == (True, False, 3)
    assert (started["v3_restaurants"], started["v3_percent"]) == ("all", 100)


def test_a_metrics_port_in_use_stops_the_worker_with_one_line(db_url: str, tmp_path: Path) -> None:
    """A second worker on a taken --metrics-port exits 2 with one line naming the port and
    telling to give each worker its own --metrics-port."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(
            tmp_path, "worker", "--metrics-port", str(port), database_url=db_url, timeout=60
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: --metrics-port: 127.0.0.1:{port} is already in use: give each worker on a "
        "machine its own --metrics-port (0 picks a free one)"
    ]
