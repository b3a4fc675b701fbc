"""A real `seatflow serve` killed between the commit of a keyed create and its answer: the
client's retry, on a restarted server, gets the booking that committed — and only that one."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time

import httpx
import psycopg
import pytest

from e2e.api.kit import at, seed
from support.processes import Spawn


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _serve(spawn: Spawn) -> tuple[subprocess.Popen[str], str]:
    """A started server and its base URL, once /readyz answers 200."""
    port = _free_port()
    server = spawn("serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            assert server.poll() is None, "serve exited (its log is in the test's tmp_path)"
            try:
                if (await client.get("/readyz", timeout=2)).status_code == 200:
                    return server, base
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("serve did not become ready in 30 s")


async def test_a_server_killed_after_the_commit_loses_no_booking_to_a_retry(
    db_url: str, spawn_seatflow: Spawn
) -> None:
    """SIGKILL while the committed create waits on its inline assignment (blocked on a lock):
    the client sees a broken connection; its retry with the key on a new server answers 201
    replayed with that booking; one booking and one job exist."""
    keys, _ = await seed(db_url)
    headers = {"Authorization": f"Bearer {keys['alpha']}", "Idempotency-Key": "crash-1"}
    body = {"party_size": 2, "start_at": at()}
    path = "/v1/restaurants/alpha/bookings"
    server, base = await _serve(spawn_seatflow)
    async with await psycopg.AsyncConnection.connect(db_url) as blocker:
        await blocker.execute("SELECT id FROM tables FOR UPDATE")  # the inline run waits here
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            lost = asyncio.create_task(
                client.post(f"{path}?wait_ms=5000", json=body, headers=headers)
            )
            while not await (await blocker.execute("SELECT 1 FROM idempotency_keys")).fetchall():
                assert not lost.done(), lost.result().text
                await asyncio.sleep(0.02)
            server.kill()
            with pytest.raises(httpx.TransportError):
                await lost
        await blocker.rollback()
    server.wait(timeout=10)
    _, base = await _serve(spawn_seatflow)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        retry = await client.post(path, json=body, headers=headers)
    assert (retry.status_code, retry.headers["Idempotent-Replayed"]) == (201, "true")
    async with await psycopg.AsyncConnection.connect(db_url) as conn:
        ids = await (await conn.execute("SELECT id::text FROM bookings")).fetchall()
        jobs = await (await conn.execute("SELECT count(*) FROM procrastinate_jobs")).fetchone()
    assert ids == [(retry.json()["id"],)]
    assert jobs == (1,)
