"""Cluster-wide guarantees across separate OS processes: MAX_PARALLEL permits and the
per-booking lock hold between workers, not just inside one process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from uuid import uuid4

import psycopg

HOLDER = textwrap.dedent(
    """
    import asyncio, sys, pathlib, psycopg
    from uuid import UUID
    from psycopg.rows import dict_row
    from seatflow.store.locks import try_restaurant_permit, try_lock_booking

    async def main(url, kind, key, slots, flag):
        async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
            async with conn.transaction():
                if kind == "permit":
                    got = await try_restaurant_permit(conn, UUID(key), int(slots))
                else:
                    got = await try_lock_booking(conn, UUID(key))
                pathlib.Path(flag).write_text(repr(got))
                await asyncio.sleep(3)  # hold it while the test probes from elsewhere

    asyncio.run(main(*sys.argv[1:]))
    """
)

PROBE = textwrap.dedent(
    """
    import asyncio, sys, psycopg
    from uuid import UUID
    from psycopg.rows import dict_row
    from seatflow.store.locks import try_restaurant_permit, try_lock_booking

    async def main(url, kind, key, slots):
        async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
            async with conn.transaction():
                if kind == "permit":
                    print(repr(await try_restaurant_permit(conn, UUID(key), int(slots))))
                else:
                    print(repr(await try_lock_booking(conn, UUID(key))))

    asyncio.run(main(*sys.argv[1:]))
    """
)


def _hold(tmp_path: Path, db_url: str, kind: str, key: str, slots: int) -> subprocess.Popen[str]:
    flag = tmp_path / f"held-{uuid4().hex}"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db_url, kind, key, str(slots), str(flag)], text=True
    )
    deadline = time.monotonic() + 20
    while not flag.exists():
        assert time.monotonic() < deadline, "holder process never took its lock"
        time.sleep(0.05)
    return process


def _probe(db_url: str, kind: str, key: str, slots: int) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, db_url, kind, key, str(slots)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_max_parallel_holds_across_processes(tmp_path: Path, db_url: str) -> None:
    """With MAX_PARALLEL=2, two holder processes take both permits and a third process gets none."""
    restaurant = str(uuid4())
    holders = [_hold(tmp_path, db_url, "permit", restaurant, 2) for _ in range(2)]
    try:
        assert _probe(db_url, "permit", restaurant, 2) == "None"
        assert _probe(db_url, "permit", restaurant, 3) == "2"
    finally:
        for holder in holders:
            holder.wait(timeout=30)
    assert _probe(db_url, "permit", restaurant, 2) == "0"


def test_one_booking_in_two_processes_one_works(tmp_path: Path, db_url: str) -> None:
    """While one process holds a booking's lock, another process is told it is contended."""
    booking = str(uuid4())
    holder = _hold(tmp_path, db_url, "lock", booking, 0)
    try:
        assert _probe(db_url, "lock", booking, 0) == "False"
    finally:
        holder.wait(timeout=30)
    assert _probe(db_url, "lock", booking, 0) == "True"


def test_a_killed_holder_releases_its_lock(tmp_path: Path, db_url: str) -> None:
    """A worker that dies mid-transaction (SIGKILL) leaves no lock behind."""
    booking = str(uuid4())
    holder = _hold(tmp_path, db_url, "lock", booking, 0)
    holder.kill()
    holder.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _probe(db_url, "lock", booking, 0) != "True":
        assert time.monotonic() < deadline, "the dead worker's lock was never released"
        time.sleep(0.2)
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
