"""A simulated evening that is under way *now*, for the console's browser tests: the sample
scenario through V3 as restaurant `ev-live`, in a time zone where it is about 20:30 at the moment
the test runs (an `Etc/GMT±N` zone picked from the clock), on today's local date; then the live
service played up to now with the store's own functions — parties whose turn is over have come
and gone, those mid-turn are seated, one party stays past its turn, one never came (no-show), and
a table free for the rest of the night is blocked for repairs. So the timeline shows every marking
and the current-time line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from seatflow.bootstrap import services
from seatflow.documents import parse_scenario
from seatflow.domain.states import BookingStatus
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.departures import mark_no_show
from seatflow.pipeline.flags import PipelineFlags
from seatflow.settings import Settings
from seatflow.sim.simulate import Simulation, flags_for
from seatflow.store.blocks import add_block
from seatflow.store.database import Connection
from seatflow.store.floors import load_floor
from seatflow.store.live_service import change_status, end_stay
from support.evening import SAMPLE

SLUG = "ev-live"
#: The local time the evening has reached when the test runs.
EVENING_NOW = time(20, 30)


def live_zone(now: datetime) -> str:
    """An `Etc/GMT±N` zone where `now` is within the hour after EVENING_NOW (POSIX signs:
    Etc/GMT+7 is UTC−7)."""
    offset = (EVENING_NOW.hour - now.hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def scenario(now: datetime) -> dict[str, Any]:
    """The sample's bookings at their wall-clock times on today's local date in the live zone,
    requested over the 40 minutes ending 10 minutes ago, and a late party of ten."""
    document = json.loads(SAMPLE.read_text())
    zone = ZoneInfo(live_zone(now))
    today = now.astimezone(zone).date()
    bookings = sorted(document["bookings"], key=lambda b: b["requested_at"])
    step = timedelta(minutes=40) / max(len(bookings), 1)
    moved = []
    for index, booking in enumerate(bookings):
        wall = datetime.fromisoformat(booking["start_at"]).time()
        start = datetime.combine(today, wall, zone)
        requested = now - timedelta(minutes=50) + index * step
        moved.append(
            {**booking, "start_at": start.isoformat(), "requested_at": requested.isoformat()}
        )
    late_party = datetime.combine(today, time(21, 45), zone)  # ten guests: three joined tables
    last = moved[-1]["requested_at"]
    moved.append({"ref": "R-TEN", "party_size": 10, "zone_preference": None,
                  "start_at": late_party.isoformat(), "requested_at": last})  # fmt: skip
    restaurant = {**document["restaurant"], "slug": SLUG, "name": "Evening (live)",
                  "timezone": str(zone)}  # fmt: skip
    return {**document, "restaurant": restaurant, "bookings": moved}


async def run_live_evening(url: str) -> tuple[str, date]:
    """The evening through V3, then its live service up to now: the restaurant's slug and its
    local date (today, there)."""
    now = datetime.now(UTC)
    settings = Settings(_env_file=None, DATABASE_URL=url, SEATFLOW_REPACK_BUDGET_MS=300)  # type: ignore[call-arg]
    clock = SimulatedClock()
    async with services(
        settings, url, clock=clock, flags=flags_for("v3", PipelineFlags()), seed=7
    ) as wired:
        await Simulation(parse_scenario(scenario(now)), "v3", wired, clock, simulated=False).run()
        await wired.sink.flush()
        async with wired.pool.connection() as conn, conn.transaction():
            await _play_service(conn, now)
    return SLUG, now.astimezone(ZoneInfo(live_zone(now))).date()


async def _play_service(conn: Connection, now: datetime) -> None:
    floor = await load_floor(conn, SLUG)
    cursor = await conn.execute(
        "SELECT b.id, b.start_at, b.end_at - make_interval(mins => r.buffer_minutes) AS turn_end"
        " FROM bookings b JOIN restaurants r ON r.id = b.restaurant_id"
        " WHERE r.slug = %s AND b.status = 'confirmed' ORDER BY b.start_at, b.id",
        (SLUG,),
    )
    rows = await cursor.fetchall()
    finished = [row for row in rows if row["turn_end"] <= now]
    under_way = [row for row in rows if row["start_at"] <= now < row["turn_end"]]
    stays, gone = finished[-1:], under_way[:1]  # one overstays, one never came
    for row in finished[:-1]:
        await _seat(conn, row, row["start_at"])
        await change_status(conn, row["id"], BookingStatus.COMPLETED, at=row["turn_end"],
                            expected=[BookingStatus.SEATED], reason="left")  # fmt: skip
        await end_stay(conn, row["id"], free_from=row["turn_end"] + timedelta(minutes=15))
    for row in stays + under_way[1:]:
        await _seat(conn, row, row["start_at"] + timedelta(minutes=5))
    for row in gone:
        await mark_no_show(conn, row["id"], now=now, reason="marked_by_staff")
    zone = ZoneInfo(floor.plan.timezone)
    later = datetime.combine(now.astimezone(zone).date(), time(21, 30), zone)
    free = await conn.execute(
        "SELECT t.key FROM tables t JOIN restaurants r ON r.id = t.restaurant_id WHERE r.slug = %s"
        " AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.table_id = t.id"
        " AND a.released_at IS NULL AND upper(a.during) > %s) ORDER BY t.key LIMIT 1",
        (SLUG, later),
    )
    row = await free.fetchone()
    if row is not None:  # a table free from 21:30 goes out of use for repairs
        await add_block(conn, floor, row["key"], start=later, until=later + timedelta(hours=2),
                        reason="repairs")  # fmt: skip


async def _seat(conn: Connection, row: dict[str, Any], at: datetime) -> None:
    await change_status(conn, row["id"], BookingStatus.SEATED, at=at,
                        expected=[BookingStatus.CONFIRMED], reason="arrived")  # fmt: skip
