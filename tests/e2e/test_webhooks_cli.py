"""`seatflow webhooks …` as a real subprocess: add (secret printed once, last line), list
(never the secret), disable, deliveries, replay, delete; refused addresses and bad arguments are
one line and a non-zero exit."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from e2e.api.kit import seed
from support.cli import run_cli

PUBLIC = "https://93.184.215.14/hook"


async def _cli(tmp_path: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_cli, tmp_path, "webhooks", *args, database_url=db_url)


async def test_an_endpoint_from_add_to_delete(db_url: str, tmp_path: Path) -> None:
    """add prints the secret last; list shows the endpoint without it; disable, deliveries and
    replay act on it; delete removes it, and deleting again is not found (3)."""
    await seed(db_url)
    added = await _cli(
        tmp_path, db_url, "add", PUBLIC, "--restaurant", "alpha", "--event", "booking.confirmed"
    )
    assert added.returncode == 0, added.stderr
    secret = added.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    endpoint_id = added.stdout.split("endpoint ", 1)[1].split()[0]
    listed = await _cli(tmp_path, db_url, "list", "--restaurant", "alpha")
    assert endpoint_id in listed.stdout and secret not in listed.stdout
    assert "booking.confirmed" in listed.stdout
    other = await _cli(tmp_path, db_url, "list", "--restaurant", "beta")
    assert endpoint_id not in other.stdout
    steps = [
        ("disable", endpoint_id, "--restaurant", "alpha"),
        ("deliveries", endpoint_id, "--restaurant", "alpha"),
        ("replay", endpoint_id, "--restaurant", "alpha", "--since", "2026-01-01T00:00:00+00:00"),
        ("delete", endpoint_id, "--restaurant", "alpha"),
    ]
    for step in steps:
        result = await _cli(tmp_path, db_url, *step)
        assert result.returncode == 0, (step, result.stderr)
    again = await _cli(tmp_path, db_url, "delete", endpoint_id, "--restaurant", "alpha")
    assert again.returncode == 3 and "no webhook endpoint" in again.stderr


async def test_refusals_are_one_line_and_a_bad_exit(db_url: str, tmp_path: Path) -> None:
    """A loopback receiver, an unknown event type and a replay without a selection exit 2 with
    one red line naming what to fix, never a traceback."""
    await seed(db_url)
    loopback, unknown, replay = await asyncio.gather(
        _cli(tmp_path, db_url, "add", "http://127.0.0.1:9/hook", "--restaurant", "alpha"),
        _cli(tmp_path, db_url, "add", PUBLIC, "--event", "booking.exploded"),
        _cli(tmp_path, db_url, "replay", "00000000-0000-0000-0000-000000000000"),
    )
    for result, field in ((loopback, "url"), (unknown, "--event"), (replay, "--event/--since")):
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and field in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
