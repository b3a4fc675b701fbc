"""`seatflow serve` leaves no process behind: its planning processes, their fork server and
multiprocessing's resource tracker end with it, whether it is stopped (SIGTERM) or killed
(SIGKILL). Before `api.planning_pool` they all outlived it, ~300 MB per restart."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx
import pytest

from e2e.api.test_cli import _free_port, _wait_ready
from support.processes import Spawn


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _descendants(pid: int) -> set[int]:
    family: set[int] = set()
    todo = [pid]
    while todo:
        kids = _children(todo.pop())
        family |= kids
        todo.extend(kids)
    return family


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has ended; only its parent has not collected it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_serve_leaves_no_process_behind(
    db_url: str, spawn_seatflow: Spawn, stop: signal.Signals
) -> None:
    port = _free_port()
    server = spawn_seatflow("serve", "--port", str(port))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        await _wait_ready(client, server)
    family = _descendants(server.pid)
    assert len(family) >= 2, family  # the fork server and a planning process, started at startup
    server.send_signal(stop)
    server.wait(timeout=40)
    deadline = time.monotonic() + 15
    while {pid for pid in family if _running(pid)} and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert not {pid for pid in family if _running(pid)}, "processes outlived seatflow serve"
