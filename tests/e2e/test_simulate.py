"""`seatflow simulate` end to end through the CLI on a real database: valid results, one start
and one terminal event per coordinator invocation, shadow == legacy allocations, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from support.scenarios import independent_violations, scenario_files

SCENARIO = next((f for f in scenario_files() if "dev-05" in f.name), scenario_files()[0])


def simulate(
    db_url: str, tmp_path: Path, pipeline: str, scenario: Path = SCENARIO
) -> dict[str, Any]:
    out = tmp_path / f"{pipeline}-{scenario.stem}.json"
    env = {**os.environ, "DATABASE_URL": db_url, "FEATURE_ASSIGNMENT_PIPELINE_V3": "true"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "seatflow.cli",
            "simulate",
            str(scenario),
            "--pipeline",
            pipeline,
            "--out",
            str(out),
            "--database",  # this test's database, so that the test can read what it wrote
            db_url,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def allocations_by_ref(result: dict[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {a["ref"]: (a["outcome"], tuple(a["tables"])) for a in result["assignments"]}


@pytest.mark.parametrize("pipeline", ["v3", "legacy"])
def test_results_are_valid_for_every_booking(db_url: str, tmp_path: Path, pipeline: str) -> None:
    """Every booking appears once; every confirmed one sits on valid, unshared tables."""
    result = simulate(db_url, tmp_path, pipeline)
    scenario = json.loads(SCENARIO.read_text())
    assert result["format"] == "seatflow.result/v1" and result["pipeline"] == pipeline
    assert independent_violations(scenario, result) == []
    summary = result["summary"]
    assert summary["bookings"] == len(scenario["bookings"])
    assert (
        summary["confirmed"] + summary["rejected"] + summary["manual_review"] == summary["bookings"]
    )
    assert summary["confirmed"] > 0


def test_v3_leaves_one_start_and_one_terminal_per_invocation(db_url: str, tmp_path: Path) -> None:
    """In observability_events, each coordinator invocation has exactly one start and one end."""
    simulate(db_url, tmp_path, "v3")
    with psycopg.connect(db_url) as conn:
        starts, terminals, invocations_without_pair = conn.execute(
            """
            WITH per_booking AS (
              SELECT booking_id,
                     count(*) FILTER (WHERE event_type = 'coordinator.start') AS starts,
                     count(*) FILTER (WHERE event_type IN ('coordinator.confirmed',
                       'coordinator.retry', 'coordinator.manual_review', 'coordinator.noop',
                       'coordinator.error')) AS terminals
              FROM observability_events WHERE source = 'assignment.coordinator'
              GROUP BY booking_id)
            SELECT sum(starts), sum(terminals), count(*) FILTER (WHERE starts <> terminals)
            FROM per_booking
            """
        ).fetchone()
    assert starts > 0 and starts == terminals
    assert invocations_without_pair == 0


def test_shadow_compares_every_booking_and_applies_exactly_legacy(
    db_url: str, tmp_path: Path
) -> None:
    """Shadow ends with legacy's allocations and one shadow_compare per booking of the stream."""
    legacy = simulate(db_url, tmp_path, "legacy")
    with psycopg.connect(db_url) as conn:
        conn.execute("DELETE FROM observability_events")
    shadow = simulate(db_url, tmp_path, "shadow")
    assert allocations_by_ref(shadow) == allocations_by_ref(legacy)
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT COALESCE(context->>'ref', booking_id::text)) "
            "FROM observability_events WHERE event_type = 'coordinator.shadow_compare'"
        ).fetchone()
        v3_terminals = conn.execute(
            "SELECT count(*) FROM observability_events WHERE event_type = 'coordinator.start'"
        ).fetchone()
    assert row == (shadow["summary"]["bookings"], shadow["summary"]["bookings"])
    assert v3_terminals == (0,)


def test_simulation_is_deterministic(db_url: str, tmp_path: Path) -> None:
    """The same scenario through the same pipeline gives the same result file."""
    first = simulate(db_url, tmp_path, "v3")
    second = simulate(db_url, tmp_path, "v3")
    assert first == second
