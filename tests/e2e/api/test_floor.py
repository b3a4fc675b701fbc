"""The floor over HTTP: PUT then GET gives the same document back, who may write it, and bad
floors refused with the field named and nothing written."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from e2e.api.kit import FLOOR, Api, floor_doc


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
        (_broken(tables__0__colour="red"), "tables[0].colour"),
        (_broken(adjacency=[["A", "Q"]]), "adjacency[0]"),
        (_broken(adjacency=[["A"]]), "adjacency[0]"),
        (_broken(policy__turn_minutes=[]), "policy.turn_minutes"),
        (_broken(policy__max_tables_per_booking=9), "policy.max_tables_per_booking"),
        (_broken(timezone="Mars/Olympus"), "timezone"),
        (_broken(tables__0__capacity=10**12), "tables[0].capacity"),
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
