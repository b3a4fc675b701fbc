"""`seatflow keys` and `seatflow serve` as real subprocesses against a real database."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from e2e.api.kit import Api, at, seed
from seatflow.store.api_keys import hash_secret, parse_token
from support.cli import run_cli
from support.processes import Spawn

TOKEN = re.compile(r"sf_[a-z0-9]{12}_[A-Za-z0-9_-]{43}")


async def _cli(tmp_path: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_cli, tmp_path, *args, database_url=db_url)


async def test_restaurant_key_from_the_cli_works_until_revoked(
    api: Api, db_url: str, tmp_path: Path
) -> None:
    """`keys create --restaurant` prints a key (last line) that reaches only that restaurant;
    the database holds its hash, never the secret; `keys revoke` makes it 401 at once."""
    created = await _cli(tmp_path, db_url, "keys", "create", "--restaurant", "alpha")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert TOKEN.fullmatch(token), token
    parsed = parse_token(token)
    assert parsed is not None
    prefix, secret = parsed
    rows = await api.sql("SELECT * FROM api_keys WHERE prefix = %s", prefix)
    assert rows[0]["key_hash"] == hash_secret(secret)
    assert (rows[0]["restaurant_id"], rows[0]["is_admin"]) == (api.restaurants["alpha"], False)
    assert secret not in str(await api.sql("SELECT * FROM api_keys"))

    headers = {"Authorization": f"Bearer {token}"}
    own = await api.client.get("/v1/restaurants/alpha/floor", headers=headers)
    other = await api.client.get("/v1/restaurants/beta/floor", headers=headers)
    assert (own.status_code, other.status_code) == (200, 404)

    listed = await _cli(tmp_path, db_url, "keys", "list")
    assert prefix in listed.stdout and secret not in listed.stdout
    revoked = await _cli(tmp_path, db_url, "keys", "revoke", prefix)
    assert revoked.returncode == 0, revoked.stderr
    after = await api.client.get("/v1/restaurants/alpha/floor", headers=headers)
    assert after.status_code == 401


async def test_admin_key_and_bad_arguments(api: Api, db_url: str, tmp_path: Path) -> None:
    """`--admin` makes a key for every restaurant; neither option, or an unknown restaurant, fails
    with the CLI's error codes (2: bad input, 3: not found)."""
    created, neither, unknown = await asyncio.gather(  # independent: run side by side
        _cli(tmp_path, db_url, "keys", "create", "--admin"),
        _cli(tmp_path, db_url, "keys", "create"),
        _cli(tmp_path, db_url, "keys", "create", "--restaurant", "nowhere"),
    )
    assert created.returncode == 0, created.stderr
    headers = {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}
    assert (await api.client.get("/v1/events", headers=headers)).status_code == 200
    assert (await api.client.get("/v1/restaurants/beta/floor", headers=headers)).status_code == 200
    assert (neither.returncode, unknown.returncode) == (2, 3)
    assert await api.count("api_keys") == 5  # four seeded, one made here


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_serve_and_worker_confirm_a_booking_made_over_http(
    db_url: str, spawn_seatflow: Spawn
) -> None:
    """`seatflow serve` + `seatflow worker` as separate processes: a booking created over HTTP
    (no inline attempt) is confirmed with tables by the worker; /v1 wants a key (401) and a key
    never sees another restaurant (404)."""
    keys, _ = await seed(db_url)
    port = _free_port()
    server = spawn_seatflow("serve", "--port", str(port))
    spawn_seatflow("worker", "--concurrency", "2")
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        ready = await _wait_ready(client, server)
        assert ready.json()["status"] == "ready"
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        alpha = {"Authorization": f"Bearer {keys['alpha']}"}
        beta = {"Authorization": f"Bearer {keys['beta']}"}
        body = {"party_size": 6, "start_at": at()}
        assert (await client.post("/v1/restaurants/alpha/bookings", json=body)).status_code == 401
        created = await client.post("/v1/restaurants/alpha/bookings", json=body, headers=alpha)
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "pending"
        path = f"/v1/restaurants/alpha/bookings/{created.json()['id']}"
        booking = await _wait_confirmed(client, path, alpha)
        assert sorted(booking["tables"]) == ["B", "C"]  # 6 seats only on the B+C combination
        assert booking["assignment_state"] == "confirmed"
        foreign = f"/v1/restaurants/beta/bookings/{created.json()['id']}"
        assert (await client.get(path, headers=beta)).status_code == 404
        assert (await client.get(foreign, headers=beta)).status_code == 404
        assert (await client.get(path)).status_code == 401


async def _wait_confirmed(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] == "confirmed":
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"the worker did not confirm the booking in 30 s: {body}")


async def _wait_ready(client: httpx.AsyncClient, server: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "serve exited (its log is in the test's tmp_path)"
        try:
            response = await client.get("/readyz", timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError("serve did not become ready in 30 s")
