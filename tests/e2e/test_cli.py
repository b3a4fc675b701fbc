"""The real `seatflow` CLI as a subprocess: floor import/show/list, db status/url, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

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
