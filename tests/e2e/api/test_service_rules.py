"""Service rules over HTTP: read and replace them, and every way in follows them — create,
modify, the availability grid and a manual assignment — refusing with the rule's reason and
nearby times that would be accepted; two requests for the last pacing room never both win."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx

from e2e.api.kit import START, Api, api_settings, at
from seatflow.api import create_app

ALPHA = "/v1/restaurants/alpha"
SERVICE = f"{ALPHA}/service"
#: Dinner every day, 17:00–21:30 (UTC, the test floor's zone); one party per quarter hour.
DINNER: dict[str, Any] = {
    "timezone": "UTC",
    "service_periods": [
        {
            "key": "dinner",
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "first_seating": "17:00",
            "last_seating": "21:30",
            "turn_minutes": None,
            "pacing": {"slot_minutes": 15, "max_covers": None, "max_parties": 1},
        }
    ],
    "closures": [],
    "no_show_grace_minutes": 10,
    "overstay_step_minutes": 20,
}


def dinner(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DINNER)
    doc.update(changes)
    return doc


def paced(max_parties: int | None = 1, max_covers: int | None = None) -> dict[str, Any]:
    doc = dinner()
    doc["service_periods"][0]["pacing"].update(max_parties=max_parties, max_covers=max_covers)
    return doc


async def put_rules(api: Api, rules: dict[str, Any], who: str = "alpha") -> httpx.Response:
    return await api.client.put(SERVICE, json=rules, headers=api.auth(who))


async def ruled(api: Api, rules: dict[str, Any]) -> None:
    response = await put_rules(api, rules)
    assert response.status_code == 200, response.text


def instants(values: list[str]) -> list[datetime]:
    return [datetime.fromisoformat(v) for v in values]


async def test_a_v1_restaurant_has_open_rules(api: Api) -> None:
    """A floor imported without rules seats any time: no periods, no closures, the defaults."""
    response = await api.client.get(SERVICE, headers=api.auth("alpha"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "timezone": "UTC",
        "service_periods": [],
        "closures": [],
        "no_show_grace_minutes": 15,
        "overstay_step_minutes": 15,
    }


async def test_rules_round_trip(api: Api) -> None:
    """What PUT stores, PUT answers and GET returns, field for field."""
    rules = dinner(closures=[{"date": "2026-12-25", "reason": "Christmas Day"}])
    rules["service_periods"][0]["turn_minutes"] = [{"max_party": 99, "minutes": 60}]
    put = await put_rules(api, rules)
    assert put.status_code == 200, put.text
    assert put.json() == rules
    got = await api.client.get(SERVICE, headers=api.auth("alpha"))
    assert got.json() == rules
    assert (await put_rules(api, put.json())).json() == rules  # the answer goes back unchanged


async def test_keys_see_only_their_restaurant(api: Api) -> None:
    """No key is 401; another restaurant's key is 404 on read and replace; admin may do both."""
    assert (await api.client.get(SERVICE)).status_code == 401
    assert (await api.client.put(SERVICE, json=DINNER)).status_code == 401
    for method in ("GET", "PUT"):
        body = DINNER if method == "PUT" else None
        other = await api.client.request(method, SERVICE, json=body, headers=api.auth("beta"))
        assert other.status_code == 404 and other.json()["field"] == "slug", other.text
        admin = await api.client.request(method, SERVICE, json=body, headers=api.auth("admin"))
        assert admin.status_code == 200, admin.text
    beta = await api.client.get("/v1/restaurants/beta/service", headers=api.auth("beta"))
    assert beta.json()["service_periods"] == []  # alpha's rules stay alpha's


async def test_bad_rules_are_422_naming_each_field(api: Api) -> None:
    """Each problem is named by its path: types, ranges, cross-checks, a foreign time zone."""
    cases: list[tuple[dict[str, Any], str]] = []
    weekday = dinner()
    weekday["service_periods"][0]["weekdays"] = [8]
    cases.append((weekday, "service_periods[0].weekdays[0]"))
    backwards = dinner()
    backwards["service_periods"][0]["last_seating"] = "16:00"
    cases.append((backwards, "service_periods[0].last_seating"))
    clock = dinner()
    clock["service_periods"][0]["first_seating"] = "25:00"
    cases.append((clock, "service_periods[0].first_seating"))
    cases.append((dinner(no_show_grace_minutes=-1), "no_show_grace_minutes"))
    cases.append((dinner(closures=[{"date": "soon"}]), "closures[0].date"))
    cases.append((dinner(timezone="Europe/Paris"), "timezone"))
    cases.append((dinner(extra=1), "extra"))
    for body, field in cases:
        response = await put_rules(api, body)
        assert response.status_code == 422, (field, response.text)
        answer = response.json()
        assert answer["error"] == "invalid_input"
        assert field in [e["field"] for e in answer["errors"]], (field, answer)
    still = await api.client.get(SERVICE, headers=api.auth("alpha"))
    assert still.json()["service_periods"] == []  # nothing was stored


async def test_a_4am_request_is_outside_service_hours_with_dinner_times(api: Api) -> None:
    """On a floor with dinner 17:00–21:30, 04:00 is refused and that evening is offered."""
    await ruled(api, DINNER)
    early = START.replace(hour=4)
    response = await api.book(2, early.isoformat())
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "outside_service_hours" and body["field"] == "start_at"
    offered = instants(body["alternatives"])
    assert offered == [START.replace(hour=17, minute=m) for m in (0, 15, 30)]
    assert (await api.book(2, body["alternatives"][0])).status_code == 201
    late = await api.book(2, START.replace(hour=21, minute=45).isoformat())
    assert late.json()["error"] == "outside_service_hours"  # past the last seating
    assert await api.count("bookings") == 1


async def test_a_closure_is_closed_and_offers_other_days(api: Api) -> None:
    """A closure's date refuses every time with `closed`; the alternatives are on other days."""
    await ruled(api, dinner(closures=[{"date": START.date().isoformat(), "reason": "Private"}]))
    response = await api.book(2)
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "closed"
    offered = instants(body["alternatives"])
    assert offered and all(t.date() != START.date() for t in offered)
    assert all(17 <= t.hour <= 21 for t in offered)


async def test_a_full_pacing_slot_is_refused_with_the_free_slots(api: Api) -> None:
    """One party per quarter hour: a second in 19:00–19:15 is `pacing`; the next slots are
    offered and accepted; a change of the paced booking itself does not count it twice."""
    await ruled(api, paced(max_parties=1))
    first = await api.book(2)
    assert first.status_code == 201, first.text
    second = await api.book(2, at(minutes=5))
    assert second.status_code == 409, second.text
    body = second.json()
    assert body["error"] == "pacing"
    offered = instants(body["alternatives"])
    assert offered and all(not (START <= t < START + timedelta(minutes=15)) for t in offered)
    assert (await api.book(2, body["alternatives"][0])).status_code == 201
    own = await api.client.patch(
        f"{ALPHA}/bookings/{first.json()['id']}",
        json={"party_size": 3, "start_at": at(minutes=10)},
        headers=api.auth("alpha"),
    )
    assert own.status_code == 200, own.text


async def test_covers_pacing_and_modifications(api: Api) -> None:
    """Six covers per slot: 4 then 2 fit, then nothing; moving another booking into the full
    slot is refused `pacing`, and nothing about it changes."""
    await ruled(api, paced(max_parties=None, max_covers=6))
    assert (await api.book(4)).status_code == 201
    assert (await api.book(2)).status_code == 201
    assert (await api.book(1)).json()["error"] == "pacing"
    later = (await api.book(2, at(hours=1))).json()
    moved = await api.client.patch(
        f"{ALPHA}/bookings/{later['id']}", json={"start_at": at()}, headers=api.auth("alpha")
    )
    assert moved.status_code == 409 and moved.json()["error"] == "pacing", moved.text
    assert moved.json()["alternatives"]
    assert (await api.booking(later["id"]))["start_at"] == later["start_at"]


async def test_a_period_turn_table_sets_the_window(api: Api) -> None:
    """A period's own turn table (60 minutes) replaces the policy's (90 for two) for its starts."""
    rules = dinner()
    rules["service_periods"][0]["turn_minutes"] = [{"max_party": 99, "minutes": 60}]
    rules["service_periods"][0]["pacing"] = None
    await ruled(api, rules)
    made = (await api.book(2)).json()
    ends = await api.sql("SELECT end_at FROM bookings WHERE id = %s", made["id"])
    assert ends[0]["end_at"] == START + timedelta(minutes=60 + 15)  # turn + buffer


async def test_the_day_grid_follows_the_periods(api: Api) -> None:
    """Availability lists the dinner's quarter hours only, none on a closure, and leaves out a
    slot whose pacing is full."""
    day = START.date().isoformat()
    query = {"party_size": 2, "date": day}
    await ruled(api, dinner(service_periods=[{**DINNER["service_periods"][0], "pacing": None}]))
    grid = await api.client.get(f"{ALPHA}/availability", params=query, headers=api.auth("alpha"))
    assert grid.status_code == 200, grid.text
    times = instants(grid.json()["times"])
    assert times == [START.replace(hour=17) + timedelta(minutes=15 * k) for k in range(19)]
    await ruled(api, paced(max_parties=1))
    assert (await api.book(2)).status_code == 201
    grid = await api.client.get(f"{ALPHA}/availability", params=query, headers=api.auth("alpha"))
    assert START not in instants(grid.json()["times"])
    assert START + timedelta(minutes=15) in instants(grid.json()["times"])
    await ruled(api, dinner(closures=[{"date": day, "reason": None}]))
    grid = await api.client.get(f"{ALPHA}/availability", params=query, headers=api.auth("alpha"))
    assert grid.json()["times"] == []


async def test_manual_assign_refuses_outside_hours_and_closures(api: Api) -> None:
    """Staff choose the tables, not the opening hours: a booking whose start the new rules no
    longer seat cannot be assigned by hand (outside hours, then closed)."""
    made = (await api.book(2)).json()
    lunch = dinner()
    lunch["service_periods"][0].update(first_seating="11:00", last_seating="14:00")
    await ruled(api, lunch)
    url = f"{ALPHA}/bookings/{made['id']}/assign"
    refused = await api.client.post(url, json={"tables": ["A"]}, headers=api.auth("alpha"))
    assert refused.status_code == 409 and refused.json()["error"] == "outside_service_hours"
    await ruled(api, dinner(closures=[{"date": START.date().isoformat()}]))
    refused = await api.client.post(url, json={"tables": ["A"]}, headers=api.auth("alpha"))
    assert refused.status_code == 409 and refused.json()["error"] == "closed"
    await ruled(api, DINNER)
    placed = await api.client.post(url, json={"tables": ["A"]}, headers=api.auth("alpha"))
    assert placed.status_code == 200, placed.text


@asynccontextmanager
async def another_process(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """A second app (own pool, own in-process locks) on the same database: only the database
    keeps the two from both taking the last pacing room."""
    app = create_app(api_settings(api.url), api.url, pool_size=4)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://seatflow.test") as client,
    ):
        yield client


async def test_two_requests_for_the_last_pacing_room_one_wins(api: Api) -> None:
    """Two parties at once for a slot with room for one, through two API processes, again and
    again: exactly one 201 each time, the other `pacing`, and never two in a slot."""
    await ruled(api, paced(max_parties=1))
    async with another_process(api) as other:
        # Four tables, a turn of 105 min: two stay free in each race, so only pacing binds.
        for minutes in (0, 15, 30, 150, 165, 180):
            start = at(hours=-2, minutes=minutes)
            body = {"party_size": 2, "start_at": start}
            answers = await asyncio.gather(
                api.client.post(f"{ALPHA}/bookings", json=body, headers=api.auth("alpha")),
                other.post(f"{ALPHA}/bookings", json=body, headers=api.auth("alpha")),
            )
            codes = sorted(r.status_code for r in answers)
            assert codes == [201, 409], [r.text for r in answers]
            refused = next(r.json() for r in answers if r.status_code == 409)
            assert refused["error"] == "pacing"
    rows = await api.sql("SELECT start_at, count(*) AS n FROM bookings GROUP BY start_at")
    assert len(rows) == 6 and all(row["n"] == 1 for row in rows)


async def test_racing_in_one_process_for_the_last_covers(api: Api) -> None:
    """Through one API process, two parties of two for a slot that takes three covers: one
    201, the other `pacing`, each time."""
    await ruled(api, paced(max_parties=None, max_covers=3))
    for minutes in (0, 15, 30, 150):  # two tables stay free in each race: only pacing binds
        body = {"party_size": 2, "start_at": at(hours=-2, minutes=minutes)}
        answers = await asyncio.gather(
            *(
                api.client.post(f"{ALPHA}/bookings", json=body, headers=api.auth("alpha"))
                for _ in range(2)
            )
        )
        assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
        refused = next(r.json() for r in answers if r.status_code == 409)
        assert refused["error"] == "pacing", (minutes, refused)
