"""`seatflow simulate` never touches the service's data: it runs in a scratch database unless
`--database` names one, marks what it writes there as simulated, and refuses a restaurant it did
not create."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from e2e.api.kit import Api, serving
from support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "dev-05-t24-l0.8.json"


@pytest.fixture
async def api(db_url: str) -> AsyncIterator[Api]:
    """The service: the HTTP app on this test's database (its own, not a scratch one)."""
    async with serving(db_url) as running:
        yield running


def _rows(url: str, sql: str, *params: Any) -> list[dict[str, Any]]:
    with psycopg.connect(url, row_factory=dict_row, autocommit=True) as conn:
        return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]  # test SQL


def _scratch_databases(url: str) -> list[str]:
    rows = _rows(url, "SELECT datname FROM pg_database WHERE datname LIKE 'seatflow_scratch_%%'")
    return sorted(row["datname"] for row in rows)


async def _live_booking(api: Api) -> str:
    """The sample's restaurant (r5) put over HTTP, and one booking made for it over HTTP."""
    floor = json.loads(SAMPLE.read_text())["restaurant"]
    put = await api.client.put(
        f"/v1/restaurants/{floor['slug']}/floor", json=floor, headers=api.auth("admin")
    )
    assert put.status_code == 201, put.text
    made = await api.book(4, who="admin", slug=floor["slug"])
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def _simulate(tmp_path: Path, url: str, *args: str) -> Any:
    return await asyncio.to_thread(
        run_cli, tmp_path, "simulate", str(SAMPLE), "--pipeline", "v3", *args, database_url=url
    )


async def test_simulate_leaves_the_service_database_alone(api: Api, tmp_path: Path) -> None:
    """With a live r5 booking in the service's database, simulating r5 changes nothing there."""
    booking_id = await _live_booking(api)
    before = {t: await api.count(t) for t in ("bookings", "allocations", "tables", "restaurants")}
    scratch_before = _scratch_databases(api.url)

    done = await _simulate(tmp_path, api.url, "--out", str(tmp_path / "r.json"))

    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["confirmed"] > 0
    assert (await api.booking(booking_id, slug="r5"))["party_size"] == 4
    assert {t: await api.count(t) for t in before} == before
    events = await api.sql(
        "SELECT count(*) AS n FROM observability_events WHERE source = 'assignment.coordinator'"
    )
    assert events[0]["n"] == 0
    assert _scratch_databases(api.url) == scratch_before


async def test_simulate_refuses_a_real_restaurant_in_the_given_database(
    api: Api, tmp_path: Path
) -> None:
    """`--database` pointing at the service's database is refused for r5, writing nothing."""
    booking_id = await _live_booking(api)
    floor_before = await api.sql("SELECT key, capacity, active FROM tables ORDER BY id")

    done = await _simulate(tmp_path, api.url, "--database", api.url)

    assert done.returncode == 1
    assert "restaurant 'r5'" in done.stderr and "refusing" in done.stderr
    assert "Traceback" not in done.stderr
    assert (await api.booking(booking_id, slug="r5"))["party_size"] == 4
    assert await api.count("bookings") == 1
    assert await api.sql("SELECT key, capacity, active FROM tables ORDER BY id") == floor_before


def test_simulate_in_a_given_database_marks_everything_simulated(
    db_url: str, tmp_path: Path
) -> None:
    """Run twice in a database kept for simulations: every row it wrote is marked simulated."""
    for _ in range(2):
        done = run_cli(
            tmp_path,
            "simulate",
            str(SAMPLE),
            "--pipeline",
            "v3",
            "--database",
            db_url,
            database_url=None,
        )
        assert done.returncode == 0, done.stderr
    [counts] = _rows(
        db_url,
        "SELECT (SELECT count(*) FROM bookings) AS bookings,"
        " (SELECT count(*) FROM bookings WHERE NOT simulated) AS live_bookings,"
        " (SELECT count(*) FROM observability_events) AS events,"
        " (SELECT count(*) FROM observability_events WHERE NOT simulated) AS live_events,"
        " (SELECT bool_and(simulated) FROM restaurants) AS simulated_restaurants",
    )
    scenario = json.loads(SAMPLE.read_text())
    assert 0 < counts["bookings"] <= len(scenario["bookings"])  # the second run reset the first
    assert counts["events"] > 0
    assert counts["live_bookings"] == 0 and counts["live_events"] == 0
    assert counts["simulated_restaurants"] is True

    gate = run_cli(tmp_path, "rollout", "status", "--since", "30d", database_url=db_url)
    assert gate.returncode == 4, gate.stdout + gate.stderr  # nothing to judge: all simulated
    assert _v3_confirmed(gate.stdout) == 0
    asked = run_cli(
        tmp_path, "rollout", "status", "--since", "30d", "--include-simulated", database_url=db_url
    )
    assert _v3_confirmed(asked.stdout) > 0


def _v3_confirmed(report: str) -> int:
    """The confirmed count in the v3 row of `rollout status`'s outcome table."""
    [row] = [line for line in report.splitlines() if line.strip("│ ").startswith("v3 ")]
    return int(row.split("│")[2])


def test_an_unwritable_result_path_is_refused_before_the_run(db_url: str, tmp_path: Path) -> None:
    """`--out` in a directory that does not exist exits 2 at once, naming the path."""
    missing = tmp_path / "nonexistent" / "dir" / "r.json"
    done = run_cli(tmp_path, "simulate", str(SAMPLE), "--out", str(missing), database_url=db_url)
    assert done.returncode == 2
    assert "--out" in done.stderr and str(missing.parent) in done.stderr
    assert "Traceback" not in done.stderr
    assert "scratch database" not in done.stdout  # refused before anything ran


def test_demo_in_a_given_database_marks_its_workers_events_simulated(
    db_url: str, tmp_path: Path
) -> None:
    """`demo --database`: the evening's bookings and its worker processes' events are simulated."""
    done = run_cli(tmp_path, "demo", "--database", db_url, database_url=None, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    [counts] = _rows(
        db_url,
        "SELECT (SELECT count(*) FROM observability_events"
        "        WHERE event_type = 'coordinator.confirmed') AS confirmed,"
        " (SELECT count(*) FROM observability_events WHERE NOT simulated) AS live_events,"
        " (SELECT count(*) FROM bookings WHERE NOT simulated) AS live_bookings",
    )
    assert counts["confirmed"] > 0  # the workers assigned, and wrote their events here
    assert counts["live_events"] == 0 and counts["live_bookings"] == 0
