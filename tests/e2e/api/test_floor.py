"""The floor over HTTP: PUT then GET gives the same document back, who may write it, bad floors
refused with every problem named and nothing written, and floors that would strand a live
booking refused (409) or handed to the pipeline (`?reassign=true`)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from e2e.api.kit import FLOOR, Api, floor_doc
from support.cli import run_cli


async def _put(api: Api, slug: str, body: Any, who: str = "admin") -> Any:
    return await api.client.put(f"/v1/restaurants/{slug}/floor", json=body, headers=api.auth(who))


async def _get(api: Api, slug: str, who: str = "admin") -> Any:
    return await api.client.get(f"/v1/restaurants/{slug}/floor", headers=api.auth(who))


async def test_put_then_get_round_trips(api: Api) -> None:
    """An admin creates a restaurant (201); GET returns exactly the document that was PUT."""
    doc = floor_doc("gamma", timezone="Europe/Paris")
    created = await _put(api, "gamma", doc)
    assert created.status_code == 201, created.text
    assert created.json() == doc
    fetched = await _get(api, "gamma")
    assert (fetched.status_code, fetched.json()) == (200, doc)


async def test_defaults_are_filled_in(api: Api) -> None:
    """Optional fields (names, min_party, combinable, buffer) come back with their defaults."""
    sparse = {
        "slug": "delta",
        "policy": {"turn_minutes": [{"max_party": 99, "minutes": 90}]},
        "zones": [{"key": "z"}],
        "tables": [{"key": "t1", "zone": "z", "capacity": 4}],
    }
    body = (await _put(api, "delta", sparse)).json()
    assert body["name"] == "delta" and body["timezone"] == "UTC"
    assert body["policy"]["buffer_minutes"] == 15
    assert body["tables"] == [
        {"key": "t1", "zone": "z", "capacity": 4, "min_party": 1, "combinable": True}
    ]
    assert body["adjacency"] == []


async def test_a_restaurant_key_updates_its_own_floor(api: Api) -> None:
    """Alpha's key replaces alpha's floor (200); a zone and table dropped from it are gone."""
    doc = floor_doc("alpha", name="Alpha Two", zones=FLOOR["zones"][:1], tables=FLOOR["tables"][:3])
    response = await _put(api, "alpha", doc, who="alpha")
    assert response.status_code == 200, response.text
    assert (await _get(api, "alpha", who="alpha")).json() == doc


async def test_only_admins_create_restaurants(api: Api) -> None:
    """A restaurant key cannot create another restaurant: 404, and nothing exists afterwards."""
    response = await _put(api, "gamma", floor_doc("gamma"), who="alpha")
    assert response.status_code == 404
    assert (await _get(api, "gamma")).status_code == 404
    assert await api.count("restaurants") == 2


def _broken(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(FLOOR)
    for path, value in changes.items():
        target: Any = doc
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return doc


#: 30 tables all adjacent, 8 per booking: billions of joined sets, refused at once.
_DENSE = [f"D{i}" for i in range(30)]
_EXPLOSIVE = _broken(
    tables=[{"key": k, "zone": "main", "capacity": 2, "combinable": True} for k in _DENSE],
    adjacency=[[a, b] for i, a in enumerate(_DENSE) for b in _DENSE[i + 1 :]],
    policy__max_tables_per_booking=8,
)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_EXPLOSIVE, "policy.max_tables_per_booking"),
        (_broken(slug="gamma"), "slug"),
        (_broken(tables__0__capacity=0), "tables[0] (A).capacity"),
        (_broken(tables__0__min_party=5), "tables[0] (A).min_party"),
        (_broken(tables__1__zone="roof"), "tables[1] (B).zone"),
        (_broken(tables__1__key="A"), "tables[1].key"),
        (_broken(tables__0__colour="red"), "tables[0] (A).colour"),
        (_broken(adjacancy=[["B", "C"]]), "adjacancy"),
        (_broken(adjacency=[["A", "Q"]]), "adjacency[0]"),
        (_broken(adjacency=[["A"]]), "adjacency[0]"),
        (_broken(policy__turn_minutes=[]), "policy.turn_minutes"),
        (_broken(policy__max_tables_per_booking=9), "policy.max_tables_per_booking"),
        (_broken(timezone="Mars/Olympus"), "timezone"),
        (_broken(tables__0__capacity=10**12), "tables[0] (A).capacity"),
        (_broken(name="Nul\u0000Bar"), "name"),
        ({"slug": "alpha"}, "policy"),
        ([], "body"),
    ],
)
async def test_bad_floors_are_422_and_change_nothing(
    module_api: Api, body: Any, field: str
) -> None:
    """A floor that cannot be imported is refused naming the field; the stored one is unchanged."""
    before = (await _get(module_api, "alpha")).json()
    response = await _put(module_api, "alpha", body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_input"
    assert response.json()["field"] == field
    assert (await _get(module_api, "alpha")).json() == before


async def test_the_api_and_the_cli_name_the_same_problems(module_api: Api, tmp_path: Path) -> None:
    """The same broken floor PUT over HTTP and imported from a file is refused with the same
    problems, paths and words — the file's paths under `restaurant.`."""
    floor = _broken(
        tables__0__combinible=False,
        tables__1__capacity=10**12,
        timezone="Mars/Olympus",
        policy__buffer_minutes=-1,
    )
    response = await _put(module_api, "alpha", floor)
    assert response.status_code == 422, response.text
    over_http = [f"restaurant.{p['field']}: {p['detail']}" for p in response.json()["errors"]]
    scenario = tmp_path / "scenario.json"
    scenario.write_text(
        json.dumps({"format": "seatflow.scenario/v1", "restaurant": floor, "bookings": []})
    )
    result = run_cli(tmp_path, "floor", "import", str(scenario), database_url=module_api.url)
    assert result.returncode == 2
    from_file = [
        line.removeprefix(f"error: {scenario}: ")
        for line in result.stderr.splitlines()
        if line.startswith("error:")
    ]
    assert len(over_http) == 4
    assert from_file == over_http


async def test_every_problem_of_a_floor_is_listed(module_api: Api) -> None:
    """A body with several mistakes answers 422 with the first as `field`/`detail` and all of
    them, type errors and cross-field ones alike, in `errors` — each with its path."""
    body = _broken(
        tables__0__combinible=False,
        tables__1__capacity=0,
        tables__2__zone="roof",
        adjacency=[["A", "Q"]],
        policy__max_tables_per_booking=9,
    )
    response = await _put(module_api, "alpha", body)
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert {p["field"] for p in problems} == {
        "tables[0] (A).combinible",
        "tables[1] (B).capacity",
        "tables[2] (C).zone",
        "adjacency[0]",
        "policy.max_tables_per_booking",
    }
    first = problems[0]
    assert (response.json()["field"], response.json()["detail"]) == (
        first["field"],
        first["detail"],
    )


def _without(*keys: str) -> dict[str, Any]:
    """The alpha floor without these tables (and their adjacency)."""
    doc = floor_doc("alpha", name="Alpha")
    doc["tables"] = [t for t in doc["tables"] if t["key"] not in keys]
    doc["adjacency"] = [p for p in doc["adjacency"] if not set(p) & set(keys)]
    return doc


async def _confirmed(api: Api, party_size: int) -> dict[str, Any]:
    body: dict[str, Any] = (await api.book(party_size, wait_ms=2000)).json()
    assert body["status"] == "confirmed", body
    return body


async def test_a_floor_that_strands_a_booking_is_409_and_changes_nothing(api: Api) -> None:
    """Removing the table a confirmed booking holds answers 409 listing the booking, its tables
    and why; the floor and the booking stay as they were."""
    booking = await _confirmed(api, 2)
    before = (await _get(api, "alpha")).json()
    response = await _put(api, "alpha", _without(*booking["tables"]))
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "floor_change_strands_bookings"
    [stranded] = body["bookings"]
    assert (stranded["id"], stranded["tables"], stranded["party_size"]) == (
        booking["id"],
        booking["tables"],
        2,
    )
    assert "no longer on the floor" in stranded["reason"]
    assert (await _get(api, "alpha")).json() == before
    after = await api.booking(booking["id"])
    assert (after["status"], after["tables"]) == ("confirmed", booking["tables"])


async def test_reassign_hands_stranded_bookings_to_the_pipeline(api: Api) -> None:
    """With ?reassign=true the floor changes, the stranded booking is released and pending with
    reason floor_change, a job and an event, and the pipeline then seats it on the new floor."""
    booking = await _confirmed(api, 2)
    new_floor = _without(*booking["tables"])
    response = await api.client.put(
        "/v1/restaurants/alpha/floor?reassign=true", json=new_floor, headers=api.auth("admin")
    )
    assert response.status_code == 200, response.text
    assert response.json() == new_floor
    assert response.headers["Seatflow-Reassigned"] == "1"
    after = await api.booking(booking["id"])
    assert (after["status"], after["assignment_state"], after["tables"]) == (
        "pending",
        "assignment_pending",
        [],
    )
    assert after["history"][-1]["reason"] == "floor_change"
    jobs = await api.sql(
        "SELECT count(*) AS n FROM procrastinate_jobs WHERE status = 'todo' "
        "AND args->>'booking_id' = %s",
        booking["id"],
    )
    assert jobs == [{"n": 1}]
    await api.flush_events()
    announced = await api.sql(
        "SELECT context->>'to_state' AS to_state, context->>'reason' AS reason "
        "FROM observability_events WHERE booking_id = %s AND context->>'reason' = 'floor_change'",
        booking["id"],
    )
    assert announced == [{"to_state": "assignment_pending", "reason": "floor_change"}]
    routed = await api.state.services.router.run(UUID(booking["id"]), "floor_change")
    assert routed.outcome.kind.value == "confirmed", routed
    reseated = await api.booking(booking["id"])
    assert reseated["status"] == "confirmed"
    assert reseated["tables"] and not set(reseated["tables"]) & set(booking["tables"])
