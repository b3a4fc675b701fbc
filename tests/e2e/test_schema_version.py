"""Only `seatflow db migrate` changes a configured server's schema; every other command checks
the version first and stops with one line naming `seatflow db migrate`."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from seatflow.store.migrate import downgrade, head_revision
from support.cli import run_cli

READ_AND_WRITE_COMMANDS = [
    ("rollout", "status"),
    ("floor", "list"),
    ("floor", "show", "r5"),
    ("keys", "list"),
]


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return sorted(str(row[0]) for row in rows)


@pytest.mark.parametrize("command", READ_AND_WRITE_COMMANDS, ids=" ".join)
def test_commands_never_migrate_an_empty_configured_database(
    empty_db_url: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """On an empty DATABASE_URL a command exits 1 naming `seatflow db migrate`, creating nothing."""
    result = run_cli(tmp_path, *command, database_url=empty_db_url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "seatflow db migrate" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _tables(empty_db_url) == []


def test_a_schema_behind_is_refused_then_migrated_by_db_migrate(
    db_url: str, tmp_path: Path
) -> None:
    """A database one revision behind is refused by `rollout status` until `db migrate` runs."""
    assert downgrade(db_url, "0004").current == "0004"
    refused = run_cli(tmp_path, "rollout", "status", database_url=db_url)
    assert refused.returncode == 1
    assert "revision 0004" in refused.stderr and "seatflow db migrate" in refused.stderr

    migrated = run_cli(tmp_path, "db", "migrate", database_url=db_url)
    assert migrated.returncode == 0, migrated.stderr
    assert f"revision {head_revision()}" in migrated.stdout
    again = run_cli(tmp_path, "rollout", "status", database_url=db_url)
    assert "seatflow db migrate" not in again.stderr
    assert again.returncode != 1 or "NO-GO" in again.stdout


def test_a_schema_newer_than_this_seatflow_is_refused(db_url: str, tmp_path: Path) -> None:
    """A database migrated by a newer seatflow is neither used nor 'migrated' by this one."""
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dface'")
    for command in (("floor", "list"), ("db", "migrate")):
        result = run_cli(tmp_path, *command, database_url=db_url)
        assert result.returncode == 1
        assert "newer than this seatflow" in result.stderr
        assert "Traceback" not in result.stderr


def test_db_status_reads_an_empty_database_without_migrating(
    empty_db_url: str, tmp_path: Path
) -> None:
    """`db status` on an empty database says it is not migrated and leaves it empty."""
    result = run_cli(tmp_path, "db", "status", database_url=empty_db_url)
    assert result.returncode == 0, result.stderr
    assert "seatflow db migrate" in result.stdout
    assert _tables(empty_db_url) == []
