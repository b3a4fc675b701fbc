"""Random service days through the real pipeline on PostgreSQL, judged independently.

Hypothesis draws small `seatflow.scenario/v2` documents as plain dicts — a floor of 3–8 tables in
one or two zones, turn rules, a buffer, one or two service periods with optional pacing, perhaps a
closure, 5–25 bookings (online, phone, walk-in; some outside hours or on the closed day) and the
events of the day (cancel, modify, arrive early or late, depart before or after the turn, now and
then a broken table). Each runs through ServiceDaySimulation; the result must satisfy
tests/support/day_validity.py, which shares no code with the engine: one entry per booking,
valid tables for the final party, no table under two seated parties at once, nobody seated
outside hours or on a closure, pacing kept, the summary adding up.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from seatflow.documents import parse_document
from seatflow.domain.service_day import ServiceDay
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.flags import PipelineFlags
from seatflow.settings import Settings
from seatflow.sim.service_day import ServiceDaySimulation
from seatflow.sim.simulate import flags_for
from support.day_validity import problems

#: The service day: a Saturday (ISO 6). The closure, when drawn, is this day or the next.
DAY = datetime(2026, 12, 5, tzinfo=UTC)
NEXT_DAY = DAY + timedelta(days=1)
#: Requests start on a quarter-hour grid from 11:00 to 23:00, so some fall outside every period.
GRID = [DAY + timedelta(hours=11, minutes=15 * i) for i in range(49)]
#: Most requests start at dinner (17:00–21:00), where the tables are contended.
DINNER = [DAY + timedelta(hours=17, minutes=15 * i) for i in range(17)]
#: Local "HH:MM" windows the drawn periods may take (lunch, dinner).
PERIODS = [("lunch", "12:00", "14:00"), ("dinner", "17:00", "21:00")]
#: Wall-clock seconds one small day may take before the test calls it a hang.
DAY_SECONDS = 60
_slugs = itertools.count()


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@st.composite
def floors(draw: st.DrawFn) -> dict[str, Any]:
    """3–8 tables in one or two zones, some combinable, adjacent pairs within a zone."""
    zones = ["main", "terrace"][: draw(st.integers(1, 2))]
    tables = []
    for i in range(draw(st.integers(3, 8))):
        capacity = draw(st.sampled_from([2, 2, 2, 4, 4, 6]))
        tables.append(
            {
                "key": f"T{i}",
                "zone": draw(st.sampled_from(zones)),
                "capacity": capacity,
                "min_party": draw(st.sampled_from([1, 1, 1, 2])) if capacity > 2 else 1,
                "combinable": draw(st.booleans()),
            }
        )
    pairs = [
        [a["key"], b["key"]] for a, b in itertools.combinations(tables, 2) if a["zone"] == b["zone"]
    ]
    adjacency = draw(st.lists(st.sampled_from(pairs), unique_by=tuple, max_size=8)) if pairs else []
    return {"zones": zones, "tables": tables, "adjacency": adjacency}


@st.composite
def service_periods(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Dinner, and lunch as well sometimes; each with optional pacing and its own turn table."""
    chosen = draw(st.sampled_from([PERIODS[1:], PERIODS]))
    periods = []
    for key, first, last in chosen:
        pacing = draw(
            st.none()
            | st.fixed_dictionaries(
                {
                    "slot_minutes": st.sampled_from([15, 30]),
                    "max_covers": st.none() | st.integers(4, 14),
                    "max_parties": st.none() | st.integers(1, 5),
                }
            )
        )
        turns = draw(st.none() | st.just([{"max_party": 99, "minutes": 75}]))
        periods.append(
            {
                "key": key,
                "weekdays": draw(st.sampled_from([[1, 2, 3, 4, 5, 6, 7], [5, 6], [6]])),
                "first_seating": first,
                "last_seating": last,
                "turn_minutes": turns,
                "pacing": pacing,
            }
        )
    return periods


@st.composite
def bookings(draw: st.DrawFn) -> list[dict[str, Any]]:
    """5–25 requests on the grid; a few on the next day; walk-ins requested as they start."""
    found = []
    for n in range(draw(st.integers(5, 25))):
        start = draw(st.sampled_from(DINNER) | st.sampled_from(GRID))
        if draw(st.integers(0, 9)) == 0:
            start += timedelta(days=1)
        source = draw(st.sampled_from(["online", "online", "phone", "walk_in"]))
        requested = start if source == "walk_in" else DAY - timedelta(days=1) + timedelta(minutes=n)
        booking = {
            "ref": f"R{n:03d}",
            "requested_at": _iso(requested),
            "start_at": _iso(start),
            "party_size": draw(st.integers(1, 8)),
            "zone_preference": None,
            "source": source,
        }
        if draw(st.integers(0, 7)) == 0:
            booking["duration_minutes"] = draw(st.sampled_from([45, 60, 120]))
        found.append(booking)
    return found


def _turn(policy: dict[str, Any], party: int) -> int:
    return next(r["minutes"] for r in policy["turn_minutes"] if r["max_party"] >= party)


@st.composite
def booking_events(
    draw: st.DrawFn, booking: dict[str, Any], policy: dict[str, Any]
) -> list[dict[str, Any]]:
    """What happens to one booking: maybe a cancel or a modify before the day, then an arrival
    from ten minutes early to 25 late (or none), then a departure before or after the turn."""
    ref, start = booking["ref"], datetime.fromisoformat(booking["start_at"])
    events: list[dict[str, Any]] = []
    # Told in the morning, or during the service up to five minutes before the start.
    before = start - timedelta(minutes=draw(st.integers(5, 180)))
    morning = draw(st.sampled_from([DAY + timedelta(hours=9), before]))
    walk_in = booking["source"] == "walk_in"
    fate = draw(st.sampled_from(["come", "come", "come", "cancel", "modify", "stay_away"]))
    if walk_in:
        fate = "come"
    if fate == "cancel":
        return [{"at": _iso(morning), "type": "cancel", "ref": ref}]
    if fate == "stay_away":
        return []
    latest = start  # the latest the guests can be seated, whether a change is accepted or not
    if fate == "modify":
        change: dict[str, Any] = {}
        if draw(st.booleans()):
            change["party_size"] = draw(st.integers(1, 8))
        if draw(st.booleans()) or not change:
            start = draw(st.sampled_from(GRID))
            change["start_at"] = _iso(start)
        events.append({"at": _iso(morning), "type": "modify", "ref": ref, **change})
    arrived = (
        start
        if walk_in
        else start
        + timedelta(
            minutes=draw(st.sampled_from([-10, -1, 0, 7, 10, 15, 16, 25]) | st.integers(-10, 25))
        )
    )
    if not walk_in:
        events.append({"at": _iso(arrived), "type": "arrive", "ref": ref})
    if draw(st.integers(0, 9)) == 0:
        return events  # now and then a party never leaves (the day still ends)
    stay = _turn(policy, booking["party_size"]) + draw(st.integers(-40, 45))
    left = max(arrived, latest, start) + timedelta(minutes=max(stay, 10))
    events.append({"at": _iso(left), "type": "depart", "ref": ref})
    return events


@st.composite
def service_days(draw: st.DrawFn) -> dict[str, Any]:
    """A whole v2 document, its events sorted by `at` (stable: a booking's own order kept)."""
    floor = draw(floors())
    short = draw(st.sampled_from([60, 75, 90]))
    policy = {
        "turn_minutes": [
            {"max_party": 2, "minutes": short},
            {"max_party": 99, "minutes": short + draw(st.sampled_from([0, 15, 30]))},
        ],
        "buffer_minutes": draw(st.sampled_from([0, 5, 10, 15])),
        "max_tables_per_booking": draw(st.integers(1, 3)),
        "no_show_grace_minutes": draw(st.sampled_from([10, 15])),
        "overstay_step_minutes": draw(st.sampled_from([10, 15])),
    }
    closure = draw(st.sampled_from([None, None, None, NEXT_DAY, DAY]))
    requests = draw(bookings())
    events = [e for b in requests for e in draw(booking_events(b, policy))]
    for _ in range(draw(st.integers(0, 1))):
        at = DAY + timedelta(hours=draw(st.integers(11, 20)), minutes=draw(st.integers(0, 59)))
        begin = at + timedelta(minutes=draw(st.integers(0, 90)))
        table = draw(st.sampled_from(floor["tables"]))["key"]
        until = begin + timedelta(minutes=draw(st.integers(20, 150)))
        events.append(
            {
                "at": _iso(at),
                "type": "table_out",
                "table": table,
                "from": _iso(begin),
                "until": _iso(until),
            }  # fmt: skip
        )
    events.sort(key=lambda e: datetime.fromisoformat(e["at"]))
    return {
        "format": "seatflow.scenario/v2",
        "name": "property day",
        "restaurant": {
            "slug": f"prop{next(_slugs)}",
            "name": "Property",
            "timezone": draw(st.sampled_from(["UTC", "Europe/London"])),
            "policy": policy,
            "service_periods": draw(service_periods()),
            "closures": [] if closure is None else [{"date": closure.date().isoformat()}],
            "zones": [{"key": z, "name": z} for z in floor["zones"]],
            "tables": floor["tables"],
            "adjacency": floor["adjacency"],
        },
        "bookings": requests,
        "events": events,
    }


async def _simulate(url: str, document: dict[str, Any], pipeline: str) -> dict[str, Any]:
    from seatflow.bootstrap import services

    day = parse_document(document)
    assert isinstance(day, ServiceDay)
    settings = Settings(DATABASE_URL=url, SEATFLOW_REPACK_BUDGET_MS=2000)
    clock = SimulatedClock()
    flags = flags_for(pipeline, PipelineFlags())
    async with services(settings, url, clock=clock, flags=flags, seed=1, simulated=True) as wired:
        simulation = ServiceDaySimulation(day, pipeline, wired, clock).run()
        return await asyncio.wait_for(simulation, DAY_SECONDS)  # a day that hangs fails


def _shared_tables(document: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """Pairs of served parties on one table whose stays [seated_at, left_at) overlap (the buffer
    aside): the plainest statement of "no table carries two parties at once"."""
    stays: dict[str, list[tuple[datetime, datetime, str]]] = {}
    for entry in result["assignments"]:
        if entry["outcome"] != "served":
            continue
        seated = datetime.fromisoformat(entry["seated_at"])
        left = datetime.fromisoformat(entry["left_at"])
        for table in entry["tables"]:
            stays.setdefault(table, []).append((seated, left, entry["ref"]))
    clashes = []
    for table, spans in stays.items():
        for (s1, e1, r1), (s2, e2, r2) in itertools.combinations(spans, 2):
            if s1 < e2 and s2 < e1:
                clashes.append(f"{r1} and {r2} together on {table}")
    return clashes


@settings(
    max_examples=40,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=service_days(), legacy=st.integers(0, 3))
def test_random_service_days_give_valid_results(
    db_url: str, document: dict[str, Any], legacy: int
) -> None:
    """Whatever the floor, rules and events, the day's result is valid by the independent judge."""
    pipeline = "legacy" if legacy == 0 else "v3"
    result = asyncio.run(_simulate(db_url, document, pipeline))
    assert [e["ref"] for e in result["assignments"]] == [b["ref"] for b in document["bookings"]]
    assert problems(document, result) == [], pipeline
    assert _shared_tables(document, result) == [], pipeline
    outcomes = {e["outcome"] for e in result["assignments"]}
    for outcome in sorted(outcomes):
        event(f"outcome {outcome}")
    event(f"pipeline {pipeline}")
    if result["summary"]["moves"]:
        event("some booking moved")
    if result["summary"]["modifications_accepted"]:
        event("a modification accepted")


#: The smallest day that shows the simulator never ending: guests sit and no `depart` follows.
NEVER_LEAVES: dict[str, Any] = {
    "format": "seatflow.scenario/v2",
    "name": "no departure",
    "restaurant": {
        "slug": "nodepart",
        "timezone": "UTC",
        "policy": {
            "turn_minutes": [{"max_party": 99, "minutes": 90}],
            "buffer_minutes": 15,
            "max_tables_per_booking": 1,
        },
        "service_periods": [
            {"key": "dinner", "weekdays": [6], "first_seating": "17:00", "last_seating": "21:00"}
        ],
        "zones": [{"key": "main"}],
        "tables": [{"key": "T1", "zone": "main", "capacity": 2}],
    },
    "bookings": [
        {
            "ref": "R1",
            "requested_at": "2026-12-04T12:00:00Z",
            "start_at": "2026-12-05T19:00:00Z",
            "party_size": 2,
        }
    ],
    "events": [{"at": "2026-12-05T19:00:00Z", "type": "arrive", "ref": "R1"}],
}


def test_a_party_that_never_leaves_ends_the_day(db_url: str) -> None:
    """A seated party with no departure in the file still lets the day end, with a valid result."""

    async def run() -> dict[str, Any]:
        return await asyncio.wait_for(_simulate(db_url, NEVER_LEAVES, "v3"), 5)

    result = asyncio.run(run())
    assert problems(NEVER_LEAVES, result) == []
    assert result["assignments"][0]["outcome"] == "served"


#: Zero buffer: R1's turn ends at 18:30 as R2 arrives for its 18:30 booking on the same table.
OVERSTAY_AT_ZERO_BUFFER: dict[str, Any] = {
    **NEVER_LEAVES,
    "name": "zero buffer overstay",
    "restaurant": {
        **NEVER_LEAVES["restaurant"],
        "slug": "zerobuffer",
        "policy": {
            "turn_minutes": [{"max_party": 99, "minutes": 60}],
            "buffer_minutes": 0,
            "max_tables_per_booking": 1,
        },
    },
    "bookings": [
        {
            "ref": "R1",
            "requested_at": "2026-12-04T12:00:00Z",
            "start_at": "2026-12-05T17:30:00Z",
            "party_size": 2,
        },
        {
            "ref": "R2",
            "requested_at": "2026-12-04T12:01:00Z",
            "start_at": "2026-12-05T18:30:00Z",
            "party_size": 2,
        },
    ],
    "events": [
        {"at": "2026-12-05T17:30:00Z", "type": "arrive", "ref": "R1"},
        {"at": "2026-12-05T18:30:00Z", "type": "arrive", "ref": "R2"},
        {"at": "2026-12-05T18:50:00Z", "type": "depart", "ref": "R1"},
        {"at": "2026-12-05T19:30:00Z", "type": "depart", "ref": "R2"},
    ],
}


def test_an_arrival_as_an_overstay_turn_ends_with_no_buffer(db_url: str) -> None:
    """With no buffer, guests arriving as a seated party's turn ends do not sit on its table."""
    result = asyncio.run(_simulate(db_url, OVERSTAY_AT_ZERO_BUFFER, "v3"))
    assert problems(OVERSTAY_AT_ZERO_BUFFER, result) == []
    outcomes = {e["ref"]: e["outcome"] for e in result["assignments"]}
    assert outcomes == {"R1": "served", "R2": "displaced"}
