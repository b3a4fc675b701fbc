"""The live service over HTTP on a floor with dinner 17:00–21:30 (UTC), on an injected clock:
guests arriving (kept, re-seated, displaced), leaving, never coming; walk-ins; broken tables;
pins; the overstay sweep moving a successor before its guests arrive; an arrival racing a
re-pack."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from db.test_runbook_sql import runbook_queries
from e2e.api.kit import FLOOR, Api, api_settings, seed
from e2e.api.test_contract import conforms
from seatflow.api import create_app
from seatflow.documents import parse_restaurant
from seatflow.domain.combinations import combinations_for
from seatflow.domain.service import ServicePeriod, ServiceRules
from seatflow.jobs.live_service import sweep_no_shows, sweep_overstays
from seatflow.pipeline.clock import SimulatedClock
from seatflow.store.service_rules import save_rules

#: A day three days ahead; every moment of a test is on it, set on the app's clock.
DAY = (datetime.now(UTC) + timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)
DINNER = ServiceRules(
    timezone="UTC",
    periods=(
        ServicePeriod(
            key="dinner",
            weekdays=frozenset(range(1, 8)),
            first_seating=time(17, 0),
            last_seating=time(21, 30),
        ),
    ),
)
ALPHA = "/v1/restaurants/alpha"


def t(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


class Service:
    """The app on its own clock, with the calls these tests make."""

    def __init__(self, api: Api, clock: SimulatedClock) -> None:
        self.api, self.clock = api, clock

    def at(self, hour: int, minute: int = 0) -> None:
        self.clock.set(t(hour, minute))

    async def book(self, party: int, start: datetime, **extra: Any) -> dict[str, Any]:
        response = await self.api.book(party, start.isoformat(), wait_ms=2000, **extra)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def post(self, path: str, json: Any = None) -> httpx.Response:
        return await self.api.client.post(
            f"{ALPHA}{path}", json=json, headers=self.api.auth("alpha")
        )

    async def delete(self, path: str) -> httpx.Response:
        return await self.api.client.delete(f"{ALPHA}{path}", headers=self.api.auth("alpha"))

    async def arrive(self, booking: dict[str, Any]) -> httpx.Response:
        return await self.post(f"/bookings/{booking['id']}/arrive")

    async def walk_in(self, party: int, **extra: Any) -> httpx.Response:
        return await self.post("/walk-ins", {"party_size": party, **extra})

    async def view(self, booking: dict[str, Any]) -> dict[str, Any]:
        return await self.api.booking(booking["id"])

    async def assign(self, booking: dict[str, Any], trigger: str) -> str:
        """What the queued `auto_assign` job would do: run the booking through the router."""
        routed = await self.api.state.services.router.run(UUID(booking["id"]), trigger)
        return routed.outcome.kind.value

    async def sweep_overstays(self) -> int:
        state = self.api.state
        return await sweep_overstays(state.pool, state.services.sink, state.clock, state.queue)

    async def floor_events(self) -> list[str]:
        await self.api.flush_events()
        rows = await self.api.sql(
            "SELECT event_type FROM observability_events WHERE source = 'service.floor' ORDER BY id"
        )
        return [row["event_type"] for row in rows]


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[Service]:
    """Restaurants alpha (dinner 17:00–21:30) and beta; the clock at noon of DAY."""
    keys, restaurants = await seed(db_url)
    async with (
        await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row) as conn,
        conn.transaction(),
    ):
        await save_rules(conn, restaurants["alpha"], DINNER)  # type: ignore[arg-type]
    clock = SimulatedClock(t(12))
    app = create_app(api_settings(db_url), db_url, clock=clock, pool_size=4)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://seatflow.test") as client,
    ):
        api = Api(app=app, client=client, url=db_url, keys=keys, restaurants=restaurants)
        yield Service(api, clock)


async def test_arrival_keeps_its_tables_and_is_seated_once(service: Service) -> None:
    """Guests on time sit on their own free tables; their turn runs from when they sit."""
    booking = await service.book(2, t(17), zone_preference="main")
    assert booking["tables"] == ["A"]
    service.at(17, 4)
    response = await service.arrive(booking)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["tables"], body["moves"]) == ("seated", ["A"], [])
    assert body["seated_at"] == t(17, 4).isoformat().replace("+00:00", "Z")
    assert body["source"] == "online" and body["left_at"] is None
    again = await service.arrive(booking)
    assert (again.status_code, again.json()["error"]) == (409, "booking_closed")
    assert await service.floor_events() == ["floor.seated"]


async def _overstay(service: Service) -> tuple[dict[str, Any], dict[str, Any]]:
    """A party on A from 17:00 that stays; the next booking on A at 18:45; sweep at 18:30."""
    first = await service.book(2, t(17), zone_preference="main")
    second = await service.book(2, t(18, 45), zone_preference="main")
    assert first["tables"] == second["tables"] == ["A"], (first, second)
    await service.api.sql("DELETE FROM procrastinate_jobs")  # assigned inline: a worker's done
    service.at(17)
    assert (await service.arrive(first)).status_code == 200
    service.at(18, 30)  # the end of the first party's 90-minute turn: nobody said they left
    assert await service.sweep_overstays() == 1
    return first, second


async def test_must_show_an_overstay_moves_the_successor_before_it_arrives(
    service: Service,
) -> None:
    """Dinner 17:00–21:30: a walk-in is seated; a party overstays on A and the booking after it
    on A is moved to another table (recorded as an `overstay` move) before its 18:45 start."""
    service.at(17, 5)
    walk_in = await service.walk_in(2, zone_preference="terrace")
    assert walk_in.status_code == 201, walk_in.text
    assert (walk_in.json()["status"], walk_in.json()["source"]) == ("seated", "walk_in")
    service.clock.current = t(12)  # back to the morning to take the bookings
    first, second = await _overstay(service)
    jobs = await service.api.sql(
        "SELECT args FROM procrastinate_jobs WHERE status = 'todo' AND args->>'booking_id' = %s",
        second["id"],
    )
    assert [j["args"]["trigger"] for j in jobs] == ["overstay"]
    assert await service.assign(second, "overstay") == "confirmed"
    moved = await service.view(second)
    assert moved["status"] == "confirmed" and moved["tables"] not in ([], ["A"])
    [move] = moved["moves"]
    assert (move["from"], move["to"], move["reason"]) == (["A"], moved["tables"], "overstay")
    assert datetime.fromisoformat(move["at"]) == t(18, 30) < t(18, 45)
    rows = await service.api.sql(
        "SELECT reason FROM booking_moves WHERE booking_id = %s", second["id"]
    )
    assert rows == [{"reason": "overstay"}]
    service.at(18, 45)
    arrived = (await service.arrive(second)).json()
    assert (arrived["status"], arrived["tables"]) == ("seated", moved["tables"])
    events = await service.floor_events()
    assert events.count("floor.overstay_extended") == 1 and "floor.walk_in_seated" in events


async def test_an_arrival_whose_tables_are_taken_is_reseated_at_the_door(
    service: Service,
) -> None:
    """The successor's guests come before its re-assignment ran: seated on other free tables
    at once, and the move is recorded as the arrival's."""
    _, second = await _overstay(service)
    service.at(18, 45)
    response = await service.arrive(second)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "seated" and body["tables"] not in ([], ["A"])
    assert [m["reason"] for m in body["moves"]] == ["arrival"]


async def test_an_arrival_with_nothing_free_is_409_with_earliest_and_displaced(
    service: Service,
) -> None:
    """When no fitting table is free now, 409 no_table_free with the earliest time one frees,
    the booking is left as it was, and the guests are counted as displaced."""
    first, second = await _overstay(service)  # A is the first party's until 19:00
    service.clock.current = t(17)
    assert (await service.walk_in(8)).json()["tables"] == ["B", "C"]  # until 19:15
    service.clock.current = t(17, 10)
    assert (await service.walk_in(2)).json()["tables"] == ["T"]  # until 18:55
    service.clock.current = t(18, 45)
    response = await service.arrive(second)
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "no_table_free"
    assert datetime.fromisoformat(body["earliest"]) == t(18, 55)
    assert (await service.view(second))["status"] == "pending"
    assert "floor.displaced" in await service.floor_events()


async def test_walk_ins_are_seated_until_the_room_is_full(service: Service) -> None:
    """Walk-ins sit at once; the next is 409 no_table_free with when a table frees; outside
    the service hours it is 409 outside_service_hours."""
    service.at(17)
    seated = [(await service.walk_in(party)).json() for party in (8, 2, 2)]
    assert sorted(t for w in seated for t in w["tables"]) == ["A", "B", "C", "T"]
    assert {w["status"] for w in seated} == {"seated"}
    full = await service.walk_in(2)
    assert full.status_code == 409, full.text
    assert full.json()["error"] == "no_table_free"
    assert datetime.fromisoformat(full.json()["earliest"]) == t(18, 45)
    service.at(22)
    late = await service.walk_in(2)
    assert (late.status_code, late.json()["error"], late.json()["earliest"]) == (
        409,
        "outside_service_hours",
        None,
    )
    events = await service.floor_events()
    assert (events.count("floor.walk_in_seated"), events.count("floor.walk_in_refused")) == (3, 2)


async def test_a_walk_in_never_pushes_a_booked_guest_out(service: Service) -> None:
    """A booking on A at 17:30 keeps its table: the walk-in that would need it is refused."""
    for party in (8, 2):
        await service.book(party, t(17, 30), zone_preference="main")
    terrace = await service.book(2, t(17, 30), zone_preference="terrace")
    assert terrace["tables"] == ["T"]
    service.at(17)
    response = await service.walk_in(2)
    assert response.status_code == 409, response.text
    assert await service.api.count("bookings") == 3


async def test_departure_frees_the_tables_after_the_buffer(service: Service) -> None:
    """Guests leaving early: completed, left_at now, tables free from now plus 15 minutes."""
    booking = await service.book(2, t(17), zone_preference="main")
    service.at(17)
    await service.arrive(booking)
    service.at(18)
    response = await service.post(f"/bookings/{booking['id']}/depart")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed"
    assert datetime.fromisoformat(body["left_at"]) == t(18)
    rows = await service.api.sql(
        "SELECT upper(during) AS until FROM allocations WHERE booking_id = %s "
        "AND released_at IS NULL",
        booking["id"],
    )
    assert [r["until"] for r in rows] == [t(18, 15)]
    again = await service.post(f"/bookings/{booking['id']}/depart")
    assert (again.status_code, again.json()["error"]) == (409, "booking_closed")
    assert "floor.departed" in await service.floor_events()


async def test_no_show_by_hand_and_its_undo(service: Service) -> None:
    """Marked no-show: tables released. Taken back while they are free: pending again and
    re-assigned to them; 409 once they were given away, or past the grace period."""
    booking = await service.book(2, t(17), zone_preference="main")
    path = f"/bookings/{booking['id']}/no-show"
    service.at(17, 5)
    marked = await service.post(path)
    assert marked.status_code == 200, marked.text
    assert (marked.json()["status"], marked.json()["tables"]) == ("no_show", [])
    assert (await service.post(path)).json()["status"] == "no_show"  # again: a no-op
    undone = await service.api.client.delete(
        f"{ALPHA}{path}?wait_ms=2000", headers=service.api.auth("alpha")
    )
    assert undone.status_code == 200, undone.text
    assert (undone.json()["status"], undone.json()["tables"]) == ("confirmed", ["A"])
    not_one = await service.delete(path)
    assert (not_one.status_code, not_one.json()["error"]) == (409, "not_no_show")
    await service.post(path)
    taker = await service.walk_in(2, zone_preference="main")
    assert taker.json()["tables"] == ["A"]
    taken = await service.delete(path)
    assert (taken.status_code, taken.json()["error"]) == (409, "tables_taken")
    service.at(17, 20)
    over = await service.delete(path)
    assert (over.status_code, over.json()["error"]) == (409, "grace_over")
    late = await service.arrive(booking)  # late guests of a no-show may still be seated
    assert late.json()["status"] == "seated" and late.json()["tables"] != ["A"]


async def test_the_no_show_sweep_releases_reservations_past_their_grace(service: Service) -> None:
    """At 17:15 (15 minutes' grace) a reservation whose guests never came is a no-show."""
    booking = await service.book(2, t(17))
    service.at(17, 14)
    state = service.api.state
    assert await sweep_no_shows(state.pool, state.services.sink, state.clock) == 0
    service.at(17, 15)
    assert await sweep_no_shows(state.pool, state.services.sink, state.clock) == 1
    body = await service.view(booking)
    assert (body["status"], body["tables"]) == ("no_show", [])
    assert await service.floor_events() == ["floor.no_show"]


async def test_a_block_moves_a_booking_off_the_table(service: Service) -> None:
    """Blocking A 18:00–22:00 hands its 19:00 booking back; re-assigned elsewhere (a
    `table_out` move); nothing new lands on A then; lifting the block ends it."""
    booking = await service.book(2, t(19), zone_preference="main")
    assert booking["tables"] == ["A"]
    response = await service.post(
        "/tables/A/blocks",
        {"from": t(18).isoformat(), "until": t(22).isoformat(), "reason": "wobbly leg"},
    )
    assert response.status_code == 201, response.text
    blocked = response.json()
    assert blocked["displaced"] == [booking["id"]]
    assert (blocked["block"]["table"], blocked["block"]["reason"]) == ("A", "wobbly leg")
    assert datetime.fromisoformat(blocked["block"]["from"]) == t(18)
    assert (await service.view(booking))["tables"] == []
    assert await service.assign(booking, "table_out") == "confirmed"
    moved = await service.view(booking)
    assert moved["tables"] not in ([], ["A"])
    assert [(m["from"], m["reason"]) for m in moved["moves"]] == [(["A"], "table_out")]
    other = await service.book(2, t(19, 30), zone_preference="main")
    assert "A" not in other["tables"]
    listed = await service.api.client.get(f"{ALPHA}/blocks", headers=service.api.auth("alpha"))
    assert [b["id"] for b in listed.json()["blocks"]] == [blocked["block"]["id"]]
    lifted = await service.delete(f"/tables/A/blocks/{blocked['block']['id']}")
    assert lifted.status_code == 200, lifted.text
    listed = await service.api.client.get(f"{ALPHA}/blocks", headers=service.api.auth("alpha"))
    assert listed.json()["blocks"] == []
    gone = await service.delete(f"/tables/A/blocks/{blocked['block']['id']}")
    assert gone.status_code == 404
    events = await service.floor_events()
    assert (events[0], events[-1]) == ("floor.table_blocked", "floor.table_unblocked")


async def _repack_setup(service: Service) -> tuple[dict[str, Any], dict[str, Any]]:
    """X (two) on B or C at 17:00, A freed by a cancellation: a party of eight then is
    accepted only by moving X to A."""
    first = await service.book(2, t(17), zone_preference="main")
    await service.book(2, t(17), zone_preference="terrace")
    x = await service.book(2, t(17), zone_preference="main")
    assert first["tables"] == ["A"] and x["tables"] in (["B"], ["C"]), (first, x)
    cancelled = await service.post(f"/bookings/{first['id']}/cancel")
    assert cancelled.status_code == 200
    return x, first


async def test_a_pinned_booking_is_never_moved_to_make_room(service: Service) -> None:
    """Pinned, X blocks the re-arrangement a party of eight needs (409); unpinned, the party is
    accepted and X moves to A."""
    x, _ = await _repack_setup(service)
    pinned = await service.api.client.patch(
        f"{ALPHA}/bookings/{x['id']}", json={"pinned": True}, headers=service.api.auth("alpha")
    )
    assert (pinned.status_code, pinned.json()["pinned"]) == (200, True)
    assert (await service.api.book(8, t(17).isoformat())).status_code == 409
    unpinned = await service.api.client.patch(
        f"{ALPHA}/bookings/{x['id']}", json={"pinned": False}, headers=service.api.auth("alpha")
    )
    assert unpinned.json()["pinned"] is False
    eight = await service.book(8, t(17))
    assert eight["tables"] == ["B", "C"]
    assert (await service.view(x))["tables"] == ["A"]
    events = await service.floor_events()
    assert events == ["floor.pinned", "floor.pinned"]


@pytest.mark.parametrize("head_start", [0.0, 0.005, 0.02])
async def test_an_arrival_racing_a_repack_that_moves_it_sits_once(
    service: Service, head_start: float
) -> None:
    """X's guests arrive while the assignment of a party of eight re-packs X from its table to
    A: whichever commits first, X sits on one valid combination, seated once."""
    x, _ = await _repack_setup(service)
    eight = (await service.api.book(8, t(17).isoformat(), wait_ms=0)).json()
    service.at(17)

    async def repack() -> str:
        await asyncio.sleep(head_start)
        return await service.assign(eight, "creation")

    arrival, outcome = await asyncio.gather(service.arrive(x), repack())
    assert arrival.status_code == 200, arrival.text
    seated = await service.view(x)
    assert seated["status"] == "seated"
    valid = {c.tables for c in combinations_for(parse_restaurant(FLOOR), 2)}
    assert tuple(seated["tables"]) in valid
    outbox = await service.api.sql(
        "SELECT count(*) AS n FROM outbox WHERE aggregate_id = %s "
        "AND payload->>'status' = 'seated'",
        x["id"],
    )
    assert outbox == [{"n": 1}]
    live = await service.api.sql(
        "SELECT t.key FROM allocations a JOIN tables t ON t.id = a.table_id "
        "WHERE a.released_at IS NULL AND a.booking_id = %s",
        x["id"],
    )
    assert sorted(r["key"] for r in live) == seated["tables"]
    if outcome == "confirmed":  # the re-pack committed first: X moved to A, then sat there
        assert seated["tables"] == ["A"]
        assert [(m["from"], m["to"], m["reason"]) for m in seated["moves"]] == [
            (x["tables"], ["A"], "creation")
        ]
    else:  # the guests sat first: X kept its table, and the eight could not be placed then
        assert (seated["tables"], seated["moves"]) == (x["tables"], [])
        assert (await service.view(eight))["tables"] == []


async def test_the_runbooks_live_service_queries_give_the_evenings_figures(
    service: Service,
) -> None:
    """The runbook's live-service SQL over an evening: an overstay moving its successor, a
    no-show released by the sweep, a walk-in — each figure where the tables say it is."""
    never = await service.book(2, t(17), zone_preference="terrace")
    _, second = await _overstay(service)
    assert await service.assign(second, "overstay") == "confirmed"
    state = service.api.state
    assert await sweep_no_shows(state.pool, state.services.sink, state.clock) == 1
    assert (await service.view(never))["status"] == "no_show"
    assert (await service.walk_in(2)).status_code == 201
    await service.api.flush_events()
    alpha = service.api.restaurants["alpha"]
    figures = {}
    for query in runbook_queries():
        if "service.floor" in query.sql or "booking_moves" in query.sql or "pinned" in query.sql:
            figures[query.caption] = await service.api.sql(query.sql)
    events, moves, statuses = figures.values()
    assert {(r["restaurant_id"], r["event_type"]): r["events"] for r in events} == {
        (alpha, "floor.seated"): 1,
        (alpha, "floor.overstay_extended"): 1,
        (alpha, "floor.no_show"): 1,
        (alpha, "floor.walk_in_seated"): 1,
    }
    assert moves == [{"reason": "overstay", "moves": 1, "bookings": 1}]
    assert statuses == [
        {"restaurant_id": alpha, "no_shows": 1, "seated": 2, "walk_ins": 1, "pinned": 0}
    ]


async def test_every_409_is_the_body_its_route_documents(service: Service) -> None:
    """The door's 409s (with `earliest`), booking_closed and the undo's refusals each have the
    body the OpenAPI schema gives their route."""
    item = "/v1/restaurants/{slug}/bookings/{booking_id}"
    booking = await service.book(2, t(17), zone_preference="main")
    service.at(17)
    for party in (8, 2):  # B+C and T: A is the booking's
        assert (await service.walk_in(party)).status_code == 201
    full = await service.walk_in(2)
    await conforms(service.api, full, "/v1/restaurants/{slug}/walk-ins", "post")
    assert full.json()["earliest"] is not None
    not_one = await service.delete(f"/bookings/{booking['id']}/no-show")
    await conforms(service.api, not_one, item + "/no-show", "delete")
    not_seated = await service.post(f"/bookings/{booking['id']}/depart")
    await conforms(service.api, not_seated, item + "/depart", "post")
    assert (await service.arrive(booking)).status_code == 200
    twice = await service.arrive(booking)
    await conforms(service.api, twice, item + "/arrive", "post")
    seated = await service.post(f"/bookings/{booking['id']}/no-show")
    await conforms(service.api, seated, item + "/no-show", "post")
    service.at(22)
    late = await service.walk_in(2)
    await conforms(service.api, late, "/v1/restaurants/{slug}/walk-ins", "post")
    assert (late.json()["error"], late.json()["earliest"]) == ("outside_service_hours", None)


async def test_a_departure_requeues_a_reservation_still_waiting_for_tables(
    service: Service,
) -> None:
    """The overstaying party leaves at 18:35: the booking it displaced, still without tables,
    gets an assignment run of trigger `departure` and is placed."""
    first, second = await _overstay(service)
    await service.api.sql("DELETE FROM procrastinate_jobs")  # as if its overstay run had failed
    service.at(18, 35)
    response = await service.post(f"/bookings/{first['id']}/depart")
    assert response.status_code == 200, response.text
    jobs = await service.api.sql(
        "SELECT args FROM procrastinate_jobs WHERE args->>'booking_id' = %s", second["id"]
    )
    assert [j["args"]["trigger"] for j in jobs] == ["departure"]
    assert await service.assign(second, "departure") == "confirmed"
    assert (await service.view(second))["tables"] != []
