"""`seatflow demo` ends with commands that work when pasted: the timeline of its evening, and a
server on its kept database that takes the printed key."""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

from support.cli import clean_environment, run_cli


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


def _demo_url(line: str) -> tuple[str, list[str]]:
    """The DATABASE_URL a printed command sets, and the seatflow arguments after the program."""
    words = shlex.split(line)
    assert words[0].startswith("DATABASE_URL=")
    return words[0].removeprefix("DATABASE_URL="), words[2:]


def test_demo_ends_with_commands_that_open_its_evening(db_url: str, tmp_path: Path) -> None:
    """The last lines name the demo's own database (not the service's), a key of r5, `serve`,
    and a `timeline` that draws the demo's bookings after the demo has exited."""
    done = run_cli(tmp_path, "demo", database_url=db_url, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    draw, serve = lines[-1], next(line for line in lines if line.endswith(" serve"))
    url, args = _demo_url(draw)
    assert psycopg.conninfo.conninfo_to_dict(url)["dbname"] == "seatflow_demo"
    assert _demo_url(serve) == (url, ["serve"])
    assert args[:3] == ["timeline", "--restaurant", "r5"]
    assert _count(db_url, "SELECT count(*) FROM restaurants") == 0  # the service's: untouched

    drawn = run_cli(tmp_path, *args, database_url=url)
    assert drawn.returncode == 0, drawn.stderr
    placed = _count(url, "SELECT count(*) FROM bookings WHERE confirmed_tables IS NOT NULL")
    assert placed > 0
    assert drawn.stdout.count("[") >= placed  # a bar per placed booking, at least
    assert f"{_count(url, 'SELECT count(*) FROM bookings')} bookings" in drawn.stdout

    console_line = next(line for line in lines if "/ops" in line)
    [key] = re.findall(r"sf_[A-Za-z0-9_-]+", console_line)
    [address] = re.findall(r"http://127\.0\.0\.1:8000(/ops/\S+)", console_line)
    _serve_and_check(url, key, address, tmp_path)


def _serve_and_check(url: str, key: str, address: str, tmp_path: Path) -> None:
    """`serve` on the demo's database answers r5's review queue to the printed key, and signing
    in at the printed console address lands on the timeline of the demo's evening."""
    port = _free_port()
    env = clean_environment(DATABASE_URL=url)
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "seatflow.cli", "serve", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=log, stderr=log, text=True,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.3)
        answer = httpx.get(
            f"{base}/v1/restaurants/r5/review", headers={"Authorization": f"Bearer {key}"}
        )
        assert answer.status_code == 200, answer.text
        _sign_in_at(base, address, key)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _sign_in_at(base: str, address: str, key: str) -> None:
    with httpx.Client(base_url=base, follow_redirects=True) as browser:
        form = browser.get(address)  # not signed in: the sign-in form, coming back here
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        then = re.search(r'name="then" value="([^"]+)"', form.text)
        assert token is not None and then is not None, form.text
        assert then.group(1).replace("&amp;", "&") == address
        page = browser.post(
            "/ops/signin", data={"csrf_token": token.group(1), "key": key, "then": address}
        )
        assert page.status_code == 200 and page.url.raw_path.decode() == address, page.text
        assert "timeline" in page.text.lower()
