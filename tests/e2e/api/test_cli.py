"""`seatflow keys` and `seatflow serve` as real subprocesses against a real database."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from e2e.api.kit import Api
from e2e.test_cli import run_cli
from seatflow.store.api_keys import hash_secret, parse_token

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


def test_serve_answers_http(db_url: str, tmp_path: Path) -> None:
    """`seatflow serve` listens on the given port, is ready, and guards /v1 with keys."""
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(("FEATURE_", "SEATFLOW_", "DATABASE_URL"))
    }
    env["DATABASE_URL"] = db_url
    server = subprocess.Popen(
        [sys.executable, "-m", "seatflow.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        ready = _wait_ready(f"{base}/readyz", server)
        assert ready.json()["status"] == "ready"
        assert httpx.get(f"{base}/v1/events").status_code == 401
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=15)


def _wait_ready(url: str, server: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"serve exited: {server.stderr.read() if server.stderr else ''}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve did not become ready in 30 s")
