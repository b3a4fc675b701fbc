"""The real `seatflow` CLI as a subprocess: floor import/show/list (every problem of a bad file
named, live bookings never stranded), db status/url, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from seatflow.store.migrate import head_revision
from support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "dev-05-t24-l0.8.json"


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def test_floor_import_twice_then_show_and_list(db_url: str, tmp_path: Path) -> None:
    """Importing a file twice succeeds and leaves one restaurant that show and list display."""
    floor = json.loads(SAMPLE.read_text())["restaurant"]
    for _ in range(2):
        imported = run_cli(tmp_path, "floor", "import", str(SAMPLE), database_url=db_url)
        assert imported.returncode == 0, imported.stderr
        assert f"imported {floor['slug']}" in imported.stdout
    assert _count(db_url, "restaurants") == 1
    assert _count(db_url, "tables") == len(floor["tables"])

    shown = run_cli(tmp_path, "floor", "show", floor["slug"], database_url=db_url)
    assert shown.returncode == 0, shown.stderr
    for table in floor["tables"]:
        assert table["key"] in shown.stdout
    for zone in floor["zones"]:
        assert zone["key"] in shown.stdout

    listed = run_cli(tmp_path, "floor", "list", database_url=db_url)
    assert listed.returncode == 0, listed.stderr
    [line] = [ln for ln in listed.stdout.splitlines() if f" {floor['slug']} " in ln]
    assert floor["name"] in line
    assert str(len(floor["tables"])) in line


def test_show_unknown_restaurant_fails_cleanly(db_url: str, tmp_path: Path) -> None:
    """`floor show` of a slug never imported exits 3 with one error line, no traceback."""
    shown = run_cli(tmp_path, "floor", "show", "nowhere", database_url=db_url)
    assert shown.returncode == 3
    assert "nowhere" in shown.stderr
    assert "Traceback" not in shown.stderr


def test_malformed_file_is_rejected_and_changes_nothing(db_url: str, tmp_path: Path) -> None:
    """A table in an unknown zone exits 2 naming the field and the reason, and writes no row."""
    document = json.loads(SAMPLE.read_text())
    first = document["restaurant"]["tables"][0]
    first["zone"] = "patio"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = run_cli(tmp_path, "floor", "import", str(bad), database_url=db_url)
    assert result.returncode == 2
    assert f"restaurant.tables[0] ({first['key']}).zone" in result.stderr
    assert "unknown zone 'patio'" in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(db_url, "restaurants") == 0


def _write(tmp_path: Path, document: dict[str, Any], name: str = "floor.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_misspelt_key_is_refused_not_ignored(db_url: str, tmp_path: Path) -> None:
    """Re-importing a live floor whose `adjacency` is misspelt exits 2 naming the key and the
    likely one, and leaves the stored adjacency as it was (not replaced by none)."""
    assert run_cli(tmp_path, "floor", "import", str(SAMPLE), database_url=db_url).returncode == 0
    pairs = _count(db_url, "table_adjacency")
    document = json.loads(SAMPLE.read_text())
    document["restaurant"]["adjacancy"] = document["restaurant"].pop("adjacency")
    result = run_cli(
        tmp_path, "floor", "import", str(_write(tmp_path, document)), database_url=db_url
    )
    assert result.returncode == 2, result.stdout
    assert "restaurant.adjacancy: unknown key (did you mean 'adjacency'?)" in result.stderr
    assert _count(db_url, "table_adjacency") == pairs > 0


def test_every_problem_of_a_file_is_listed(db_url: str, tmp_path: Path) -> None:
    """A file with several mistakes exits 2 with one line per problem, each with its path, and
    writes nothing."""
    document = json.loads(SAMPLE.read_text())
    tables = document["restaurant"]["tables"]
    tables[0]["combinible"] = tables[0].pop("combinable")
    tables[1]["min_pary"] = 2
    tables[3]["capacity"] = 0
    document["restaurant"]["policy"]["no_show_grace_minutes"] = 15
    result = run_cli(
        tmp_path, "floor", "import", str(_write(tmp_path, document)), database_url=db_url
    )
    assert result.returncode == 2
    problems = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(problems) == 4, result.stderr
    for place in (
        f"restaurant.tables[0] ({tables[0]['key']}).combinible: unknown key",
        f"restaurant.tables[1] ({tables[1]['key']}).min_pary: unknown key",
        f"restaurant.tables[3] ({tables[3]['key']}).capacity: must be at least 1, got 0",
        "restaurant.policy.no_show_grace_minutes: unknown key: it belongs to seatflow.scenario/v2",
    ):
        assert any(place in line for line in problems), (place, problems)
    assert "Traceback" not in result.stderr
    assert _count(db_url, "restaurants") == 0


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("timezone",), "Mars/Olympus", "unknown IANA time zone"),
        (("tables", 0, "capacity"), 10**12, "must be at most 100000"),
        (("name",), "Nul\u0000Bar", "must not contain NUL"),
        (("policy", "turn_minutes", 0, "minutes"), 0, "must be at least 1"),
        (("tables", 0, "min_party"), 0, "must be at least 1"),
    ],
)
def test_the_file_obeys_the_api_limits(
    db_url: str, tmp_path: Path, path: tuple[str | int, ...], value: object, reason: str
) -> None:
    """Values the floor API refuses are refused in a file too: exit 2 naming the field, no
    traceback, nothing written."""
    document = json.loads(SAMPLE.read_text())
    node: Any = document["restaurant"]
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    result = run_cli(
        tmp_path, "floor", "import", str(_write(tmp_path, document)), database_url=db_url
    )
    assert result.returncode == 2, result.stdout
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert _count(db_url, "restaurants") == 0


def test_a_service_day_file_imports_its_rules_and_show_prints_them(
    db_url: str, tmp_path: Path
) -> None:
    """A seatflow.scenario/v2 file's restaurant is imported with its service rules, which
    `floor show` prints (periods, turns, pacing, closures, grace, step); a v1 re-import of the
    same floor leaves the rules as they were."""
    document = json.loads(SAMPLE.read_text())
    document["format"] = "seatflow.scenario/v2"
    restaurant = document["restaurant"]
    restaurant["policy"].update(no_show_grace_minutes=10, overstay_step_minutes=20)
    restaurant["service_periods"] = [
        {
            "key": "dinner",
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "first_seating": "17:00",
            "last_seating": "21:30",
            "turn_minutes": [{"max_party": 99, "minutes": 100}],
            "pacing": {"slot_minutes": 15, "max_covers": 28, "max_parties": 8},
        }
    ]
    restaurant["closures"] = [{"date": "2026-12-25", "reason": "Christmas Day"}]
    imported = run_cli(
        tmp_path, "floor", "import", str(_write(tmp_path, document)), database_url=db_url
    )
    assert imported.returncode == 0, imported.stderr
    assert "1 service periods" in imported.stdout
    assert _count(db_url, "service_periods") == 1 and _count(db_url, "closures") == 1
    shown = run_cli(tmp_path, "floor", "show", restaurant["slug"], database_url=db_url)
    assert shown.returncode == 0, shown.stderr
    for text in (
        "no-show grace 10 min",
        "overstay step 20 min",
        "dinner",
        "17:00–21:30",
        "100 min",
        "28 covers, 8 parties",
        "2026-12-25",
        "Christmas Day",
    ):
        assert text in shown.stdout, (text, shown.stdout)
    assert run_cli(tmp_path, "floor", "import", str(SAMPLE), database_url=db_url).returncode == 0
    assert _count(db_url, "service_periods") == 1


def _seat(url: str, slug: str, table: str) -> str:
    """A confirmed booking three days ahead on `table`, as the pipeline would leave it."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "INSERT INTO bookings (restaurant_id, ref, party_size, start_at, end_at, status, "
            "assignment_state) SELECT id, 'GUEST1', 2, %s, %s, 'confirmed', 'confirmed' "
            "FROM restaurants WHERE slug = %s RETURNING id, restaurant_id",
            (start, start + timedelta(hours=2), slug),
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO allocations (restaurant_id, booking_id, table_id, during) "
            "SELECT %s, %s, id, tstzrange(%s, %s) FROM tables WHERE key = %s",
            (row[1], row[0], start, start + timedelta(hours=2), table),
        )
    return str(row[0])


def _one(url: str, statement: str, *params: object) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(statement, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row[0]


def test_a_reimport_never_strands_a_booking(db_url: str, tmp_path: Path) -> None:
    """Re-importing without the table a confirmed booking holds exits 4 listing the booking and
    writes nothing; with --reassign it goes through, the booking released and pending
    (reason floor_change) with a `floor_change` job and its state-change events."""
    document = json.loads(SAMPLE.read_text())
    restaurant = document["restaurant"]
    assert run_cli(tmp_path, "floor", "import", str(SAMPLE), database_url=db_url).returncode == 0
    table = next(t["key"] for t in restaurant["tables"] if t["capacity"] >= 2)
    booking = _seat(db_url, restaurant["slug"], table)
    restaurant["tables"] = [t for t in restaurant["tables"] if t["key"] != table]
    restaurant["adjacency"] = [p for p in restaurant["adjacency"] if table not in p]
    smaller = _write(tmp_path, document, "smaller.json")

    refused = run_cli(tmp_path, "floor", "import", str(smaller), database_url=db_url)
    assert refused.returncode == 4, refused.stdout
    assert (
        "GUEST1 at " in refused.stderr
        and f"on {table}: table {table} is no longer" in refused.stderr
    )
    assert _one(db_url, "SELECT active FROM tables WHERE key = %s", table) is True

    moved = run_cli(tmp_path, "floor", "import", str(smaller), "--reassign", database_url=db_url)
    assert moved.returncode == 0, moved.stderr
    assert (
        "re-assigning GUEST1 at " in moved.stdout and f"on {table}: table {table}" in moved.stdout
    )
    assert _one(db_url, "SELECT active FROM tables WHERE key = %s", table) is False
    state = "SELECT status || ' ' || assignment_state FROM bookings WHERE id = %s"
    assert _one(db_url, state, booking) == "pending assignment_pending"
    live = "SELECT count(*) FROM allocations WHERE booking_id = %s AND released_at IS NULL"
    assert _one(db_url, live, booking) == 0
    job = "SELECT args->>'trigger' FROM procrastinate_jobs WHERE args->>'booking_id' = %s"
    assert _one(db_url, job, booking) == "floor_change"
    event = (
        "SELECT context->>'reason' FROM observability_events WHERE booking_id = %s "
        "AND event_type = 'booking.assignment_state_transition'"
    )
    assert _one(db_url, event, booking) == "floor_change"


def test_missing_file_is_rejected(db_url: str, tmp_path: Path) -> None:
    """Importing a path that does not exist exits 2 naming the path."""
    missing = tmp_path / "absent.json"
    result = run_cli(tmp_path, "floor", "import", str(missing), database_url=db_url)
    assert result.returncode == 2
    assert "absent.json" in result.stderr
    assert "cannot read the file" in result.stderr


def test_bad_flag_stops_every_command(db_url: str, tmp_path: Path) -> None:
    """FEATURE_ASSIGNMENT_PIPELINE_V3=maybe makes `db status` exit 2 naming the variable."""
    result = run_cli(
        tmp_path, "db", "status", database_url=db_url, FEATURE_ASSIGNMENT_PIPELINE_V3="maybe"
    )
    assert result.returncode == 2
    assert "FEATURE_ASSIGNMENT_PIPELINE_V3" in result.stderr
    assert "maybe" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_status_shows_the_migration_revision(db_url: str, tmp_path: Path) -> None:
    """`db status` on a migrated database shows the head revision and says it is up to date."""
    head = head_revision()
    assert head is not None
    result = run_cli(tmp_path, "db", "status", database_url=db_url)
    assert result.returncode == 0, result.stderr
    [line] = [ln for ln in result.stdout.splitlines() if "migration" in ln]
    assert f"{head} (head {head})" in line
    assert any("up to date" in ln and "yes" in ln for ln in result.stdout.splitlines())
    assert str(psycopg.conninfo.conninfo_to_dict(db_url)["dbname"]) in result.stdout


def _assert_opens(url: str) -> None:
    """psycopg (and psql, when installed) can connect to the URL."""
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    psql = shutil.which("psql")
    if psql:
        out = subprocess.run(
            [psql, url, "-XAtc", "SELECT 41 + 1"], capture_output=True, text=True, timeout=30
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "42"


def test_db_url_prints_an_openable_url(db_url: str, tmp_path: Path) -> None:
    """`db url` prints the configured DATABASE_URL, which psycopg and psql can open."""
    result = run_cli(tmp_path, "db", "url", database_url=db_url)
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url == db_url
    _assert_opens(url)


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the suite runs on an external server"
)
def test_embedded_db_url_is_openable(server_url: str, tmp_path: Path) -> None:
    """Without DATABASE_URL, `db url` prints the embedded server's URL, which psql can open."""
    data_dir = Path(os.environ.get("SEATFLOW_TEST_DATA_DIR", f"/tmp/seatflow-test-{os.getuid()}"))
    result = run_cli(
        tmp_path, "db", "url", database_url=None, SEATFLOW_DATA_DIR=str(data_dir / "pgdata")
    )
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url.startswith("postgresql://")
    _assert_opens(url)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("seatflow",)


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the suite runs on an external server"
)
def test_db_stop_stops_the_embedded_server_and_the_next_command_restarts_it(
    tmp_path: Path,
) -> None:
    """`db stop` stops the embedded server of its data dir; `db url` then starts it again."""
    data_dir = str(tmp_path / "pgdata")
    started = run_cli(tmp_path, "db", "url", database_url=None, SEATFLOW_DATA_DIR=data_dir)
    assert started.returncode == 0, started.stderr
    pid = int((Path(data_dir) / "postmaster.pid").read_text().splitlines()[0])

    stopped = run_cli(tmp_path, "db", "stop", database_url=None, SEATFLOW_DATA_DIR=data_dir)
    assert stopped.returncode == 0, stopped.stderr
    assert f"pid {pid}" in stopped.stdout
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    again = run_cli(tmp_path, "db", "stop", database_url=None, SEATFLOW_DATA_DIR=data_dir)
    assert "not running" in again.stdout

    restarted = run_cli(tmp_path, "db", "url", database_url=None, SEATFLOW_DATA_DIR=data_dir)
    assert restarted.returncode == 0, restarted.stderr
    _assert_opens(restarted.stdout.strip())
    run_cli(tmp_path, "db", "stop", database_url=None, SEATFLOW_DATA_DIR=data_dir)


def test_db_stop_refuses_a_configured_server(db_url: str, tmp_path: Path) -> None:
    """With DATABASE_URL set, `db stop` stops nothing and says why, naming the variable."""
    result = run_cli(tmp_path, "db", "stop", database_url=db_url)
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    _assert_opens(db_url)
