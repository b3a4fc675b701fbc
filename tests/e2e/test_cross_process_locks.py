"""Cluster-wide guarantees across separate OS processes: MAX_PARALLEL permits and the
per-booking lock hold between workers, not just inside one process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
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
                release = pathlib.Path(flag + ".release")
                for _ in range(1200):  # hold it while the test probes (at most a minute)
                    if release.exists():
                        break
                    await asyncio.sleep(0.05)

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
    process.flag = flag  # type: ignore[attr-defined]
    return process


def _release(process: subprocess.Popen[str]) -> None:
    """Tell a holder to let go (it holds until told, however slow the machine), and wait."""
    Path(str(process.flag) + ".release").write_text("")  # type: ignore[attr-defined]
    process.wait(timeout=60)


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
            _release(holder)
    assert _probe(db_url, "permit", restaurant, 2) == "0"


def test_one_booking_in_two_processes_one_works(tmp_path: Path, db_url: str) -> None:
    """While one process holds a booking's lock, another process is told it is contended."""
    booking = str(uuid4())
    holder = _hold(tmp_path, db_url, "lock", booking, 0)
    try:
        assert _probe(db_url, "lock", booking, 0) == "False"
    finally:
        _release(holder)
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


COORDINATE = textwrap.dedent(
    """
    import asyncio, sys, time
    from uuid import UUID
    from seatflow.pipeline import coordinator as module
    from seatflow.pipeline.clock import SystemClock
    from seatflow.pipeline.coordinator import AssignmentCoordinator, CoordinatorConfig
    from seatflow.pipeline.flags import PipelineFlags
    from seatflow.store.database import open_pool
    from seatflow.store.events import NullEventSink

    real_plan = module.plan_v3

    def slow_plan(*args, **kwargs):
        time.sleep(1.5)  # keep the booking's transaction (and its lock) open a while
        return real_plan(*args, **kwargs)

    module.plan_v3 = slow_plan

    async def main(url, booking):
        async with open_pool(url, max_size=1) as pool:
            config = CoordinatorConfig(flags=PipelineFlags(v3=True))
            coordinator = AssignmentCoordinator(pool, NullEventSink(), SystemClock(), config)
            outcome = await coordinator.process(UUID(booking), "creation")
            print(outcome.kind.value, outcome.reason)

    asyncio.run(main(*sys.argv[1:]))
    """
)


def test_two_worker_processes_on_one_booking(db_url: str) -> None:
    """Two processes run the coordinator on one booking at once: one confirms, one is contended."""
    import asyncio

    from seatflow.documents import parse_scenario_text
    from seatflow.store.bookings import NewBooking, insert_booking
    from seatflow.store.database import open_pool
    from seatflow.store.floors import import_floor
    from support.scenarios import SAMPLES

    floor = parse_scenario_text(next(SAMPLES.glob("dev-*.json")).read_text()).floor

    async def setup() -> str:
        async with open_pool(db_url, max_size=1) as pool, pool.connection() as conn:
            async with conn.transaction():
                restaurant = await import_floor(conn, floor)
                start, end = floor.policy.occupancy(datetime(2030, 1, 5, 19, tzinfo=UTC), 2)
                booking = await insert_booking(
                    conn,
                    NewBooking(restaurant_id=restaurant, party_size=2, start_at=start, end_at=end),
                )
            return str(booking.id)

    booking = asyncio.run(setup())
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", COORDINATE, db_url, booking], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = sorted(w.communicate(timeout=120)[0].strip() for w in workers)
    assert outputs == ["confirmed None", "noop lock_contention"]
    with psycopg.connect(db_url) as conn:
        live = conn.execute(
            "SELECT count(*) FROM allocations WHERE booking_id = %s AND released_at IS NULL",
            (booking,),
        ).fetchone()
    assert live is not None and live[0] >= 1
