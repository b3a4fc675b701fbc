"""The operator's commands as a subprocess: `timeline`, `bookings list|show|cancel`,
`review list|assign|requeue` — what they print, what they change, and their bad-input errors."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.rows import dict_row

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.domain.service import ServicePeriod, ServiceRules
from seatflow.domain.states import BookingStatus
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.floors import StoredFloor, import_floor, load_floor
from seatflow.store.holds import place_tables
from seatflow.store.live_service import change_status
from seatflow.store.service_rules import save_rules
from support.cli import run_cli

PARIS = ZoneInfo("Europe/Paris")
DAY = datetime.now(UTC).date() + timedelta(days=3)
GUEST = "Ada Secret"

FLOOR = FloorPlan(
    slug="ops",
    name="Ops bistro",
    timezone="Europe/Paris",
    policy=VenuePolicy(turn_minutes=(TurnRule(max_party=99, minutes=90),), buffer_minutes=15),
    zones=(Zone(key="main", name="Main room"), Zone(key="window", name="Window")),
    tables=(
        Table(key="T1", zone="main", capacity=4),
        Table(key="T2", zone="main", capacity=4),
        Table(key="T10", zone="main", capacity=4),
        Table(key="W1", zone="window", capacity=2),
    ),
    adjacency=frozenset({frozenset({"T1", "T2"})}),
)
DINNER = ServicePeriod(
    key="dinner", weekdays=frozenset(range(1, 8)), first_seating=time(18), last_seating=time(22)
)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=PARIS)


async def _book(
    conn: psycopg.AsyncConnection, floor: StoredFloor, start: datetime, party: int
) -> UUID:  # type: ignore[type-arg]
    booking = NewBooking(
        restaurant_id=floor.restaurant_id,
        party_size=party,
        start_at=start,
        end_at=start + timedelta(minutes=105),
        guest_name=GUEST,
        guest_phone="+33 6 12 34 56 78",
    )
    async with conn.transaction():
        return (await insert_booking(conn, booking)).id


async def _place(
    conn: psycopg.AsyncConnection, floor: StoredFloor, booking: UUID, start: datetime, *tables: str
) -> None:  # type: ignore[type-arg]
    async with conn.transaction():
        await place_tables(
            conn, floor, booking, tables, start=start, end=start + timedelta(minutes=105),
            now=datetime.now(UTC), ttl=timedelta(minutes=5),
        )  # fmt: skip


async def _setup(url: str) -> dict[str, UUID]:
    """Two restaurants; at `ops` a booking on T1, a party of six on T1+T2, one seated on W1 and
    one waiting in review."""
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        async with conn.transaction():
            restaurant_id = await import_floor(conn, FLOOR)
            await save_rules(
                conn, restaurant_id, ServiceRules(timezone="Europe/Paris", periods=(DINNER,))
            )
            await import_floor(conn, replace(FLOOR, slug="other"))
        floor = await load_floor(conn, "ops")
        ids = {
            "placed": await _book(conn, floor, _at(19), 2),
            "joined": await _book(conn, floor, _at(21), 6),
            "seated": await _book(conn, floor, _at(18), 2),
            "review": await _book(conn, floor, _at(20), 4),
        }
        await _place(conn, floor, ids["placed"], _at(19), "T1")
        await _place(conn, floor, ids["joined"], _at(21), "T1", "T2")
        await _place(conn, floor, ids["seated"], _at(18), "W1")
        async with conn.transaction():
            await change_status(
                conn, ids["seated"], BookingStatus.SEATED,
                expected=[BookingStatus.PENDING], at=_at(18, 5), reason="arrived",
            )  # fmt: skip
            await conn.execute(
                "UPDATE bookings SET assignment_state = 'manual_review', "
                "review_reason = 'no_valid_tables' WHERE id = %s",
                (ids["review"],),
            )
    return ids


@pytest.fixture
def evening(db_url: str) -> dict[str, UUID]:
    return asyncio.run(_setup(db_url))


def _row(url: str, sql: str, *params: object) -> dict[str, object]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row


def _short(booking: UUID) -> str:
    return str(booking)[:8]


def _one_error_line(done: object, code: int) -> str:
    assert done.returncode == code, done.stdout + done.stderr  # type: ignore[attr-defined]
    lines = done.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error:"), done.stderr  # type: ignore[attr-defined]
    return str(lines[0])


def test_timeline_draws_the_evening(db_url: str, evening: dict[str, UUID], tmp_path: Path) -> None:
    """Zones and tables as rows, the joined party on both its tables, the seated party, the
    review booking listed without tables, totals and the legend; no guest details."""
    done = run_cli(
        tmp_path, "timeline", "--restaurant", "ops", "--date", DAY.isoformat(), database_url=db_url
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Main room" in out and "Window" in out
    joined = f"6p {_short(evening['joined'])} T1+T2"
    t1 = next(line for line in out.splitlines() if line.startswith("T1 (4)"))
    t2 = next(line for line in out.splitlines() if line.startswith("T2 (4)"))
    assert joined[:12] in t1 and joined[:12] in t2
    assert t1.index(joined[:12]) == t2.index(joined[:12])  # one bar across both rows
    assert "━" in next(line for line in out.splitlines() if line.startswith("W1 (2)"))
    assert f"no tables: 4p {_short(evening['review'])}" in out and "in review" in out
    assert "covers booked 14" in out and "legend" in out
    assert GUEST not in out and "+33" not in out


def test_timeline_bad_input(db_url: str, evening: dict[str, UUID], tmp_path: Path) -> None:
    """An unknown restaurant is one line and exit 3; a bad date or step one line and exit 2."""
    unknown = run_cli(
        tmp_path,
        "timeline",
        "--restaurant",
        "nowhere",
        "--date",
        DAY.isoformat(),
        database_url=db_url,
    )
    assert "nowhere" in _one_error_line(unknown, 3)
    bad_date = run_cli(
        tmp_path, "timeline", "--restaurant", "ops", "--date", "2026-02-30", database_url=db_url
    )
    assert "--date" in _one_error_line(bad_date, 2)
    bad_step = run_cli(
        tmp_path,
        "timeline",
        "--restaurant",
        "ops",
        "--date",
        DAY.isoformat(),
        "--step",
        "7",
        database_url=db_url,
    )
    assert "--step" in _one_error_line(bad_step, 2)


def test_read_only_commands_never_migrate(empty_db_url: str, tmp_path: Path) -> None:
    """On a database without the schema, `timeline` and `bookings list` stop and name
    `seatflow db migrate`; the database is left as it was."""
    for args in (("timeline",), ("bookings", "list")):
        done = run_cli(
            tmp_path,
            *args,
            "--restaurant",
            "ops",
            "--date",
            DAY.isoformat(),
            database_url=empty_db_url,
        )
        assert "seatflow db migrate" in _one_error_line(done, 1)
    tables = _row(empty_db_url, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")
    assert tables["n"] == 0


def test_bookings_list_filters_and_totals(
    db_url: str, evening: dict[str, UUID], tmp_path: Path
) -> None:
    """`bookings list` shows the day with tables and notes; --status keeps only that status."""
    args = ("bookings", "list", "--restaurant", "ops", "--date", DAY.isoformat())
    every = run_cli(tmp_path, *args, database_url=db_url)
    assert every.returncode == 0, every.stderr
    for booking in evening.values():
        assert _short(booking) in every.stdout
    assert "T1+T2" in every.stdout and "no_valid_tables" in every.stdout
    assert "covers booked 14" in every.stdout and GUEST not in every.stdout
    seated = run_cli(tmp_path, *args, "--status", "seated", database_url=db_url)
    assert _short(evening["seated"]) in seated.stdout
    assert _short(evening["placed"]) not in seated.stdout
    wrong = run_cli(tmp_path, *args, "--status", "eaten", database_url=db_url)
    assert "--status" in _one_error_line(wrong, 2)


def test_cancel_then_show_history(db_url: str, evening: dict[str, UUID], tmp_path: Path) -> None:
    """`bookings cancel` goes the API's way (tables released, state cancelled, the operator
    named); `show` prints that history; a seated booking is refused, exit 1."""
    placed = evening["placed"]
    done = run_cli(tmp_path, "bookings", "cancel", _short(placed), database_url=db_url)
    assert done.returncode == 0, done.stderr
    row = _row(
        db_url,
        "SELECT b.status, b.assignment_state, (SELECT count(*) FROM allocations a "
        "WHERE a.booking_id = b.id AND a.released_at IS NULL) AS live "
        "FROM bookings b WHERE id = %s",
        placed,
    )
    assert row == {"status": "cancelled", "assignment_state": "cancelled", "live": 0}
    shown = run_cli(tmp_path, "bookings", "show", str(placed), database_url=db_url)
    assert shown.returncode == 0, shown.stderr
    assert "cancelled" in shown.stdout and "cli:" in shown.stdout and GUEST not in shown.stdout
    refused = run_cli(tmp_path, "bookings", "cancel", str(evening["seated"]), database_url=db_url)
    assert "booking_closed" in _one_error_line(refused, 1)


def test_commands_with_an_id_are_restaurant_scoped(
    db_url: str, evening: dict[str, UUID], tmp_path: Path
) -> None:
    """With --restaurant, another restaurant's booking is not found (exit 3) and untouched; a
    string that is no id is bad input (exit 2)."""
    review = str(evening["review"])
    for args in (
        ("bookings", "show", review),
        ("bookings", "cancel", review),
        ("review", "requeue", review),
    ):
        done = run_cli(tmp_path, *args, "--restaurant", "other", database_url=db_url)
        assert "other" in _one_error_line(done, 3)
    assert _row(db_url, "SELECT status FROM bookings WHERE id = %s", review)["status"] == "pending"
    bad = run_cli(tmp_path, "bookings", "show", "zz-not-an-id", database_url=db_url)
    assert "BOOKING" in _one_error_line(bad, 2)


def test_review_list_assign_requeue(db_url: str, evening: dict[str, UUID], tmp_path: Path) -> None:
    """The queue lists the booking with its reason; tables that cannot seat it are refused
    naming --tables; good ones confirm it; requeue sends it back with a job."""
    review = evening["review"]
    listed = run_cli(tmp_path, "review", "list", "--restaurant", "ops", database_url=db_url)
    assert listed.returncode == 0, listed.stderr
    assert _short(review) in listed.stdout and "no_valid_tables" in listed.stdout
    too_small = run_cli(
        tmp_path, "review", "assign", str(review), "--tables", "W1", database_url=db_url
    )
    assert "--tables" in _one_error_line(too_small, 2)
    unknown = run_cli(
        tmp_path, "review", "assign", str(review), "--tables", "T10,Q9", database_url=db_url
    )
    assert "--tables #2" in _one_error_line(unknown, 2)
    assigned = run_cli(
        tmp_path, "review", "assign", _short(review), "--tables", "T10", database_url=db_url
    )
    assert assigned.returncode == 0, assigned.stderr
    assert _row(db_url, "SELECT status, confirmed_tables FROM bookings WHERE id = %s", review) == {
        "status": "confirmed",
        "confirmed_tables": ["T10"],
    }
    requeued = run_cli(tmp_path, "review", "requeue", str(review), database_url=db_url)
    assert requeued.returncode == 0, requeued.stderr
    assert _row(db_url, "SELECT assignment_state FROM bookings WHERE id = %s", review) == {
        "assignment_state": "assignment_pending"
    }
    jobs = _row(
        db_url,
        "SELECT count(*) AS n FROM procrastinate_jobs WHERE args->>'booking_id' = %s",
        str(review),
    )
    assert jobs["n"] == 1


def test_day_is_local(db_url: str, evening: dict[str, UUID], tmp_path: Path) -> None:
    """The next local date has none of the evening's bookings."""
    later = (DAY + timedelta(days=1)).isoformat()
    done = run_cli(
        tmp_path, "bookings", "list", "--restaurant", "ops", "--date", later, database_url=db_url
    )
    assert done.returncode == 0 and "0 bookings" in done.stdout
    assert isinstance(DAY, date)
