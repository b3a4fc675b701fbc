"""The live service's endpoints behind a key: 401 without a good one, 404 for another
restaurant's data (as if it did not exist, nothing changed), and 422s that name the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from e2e.api.kit import START, Api

FROM, UNTIL = START.isoformat(), (START + timedelta(hours=2)).isoformat()
BLOCK = {"from": FROM, "until": UNTIL, "reason": "broken leg"}
NIL = "00000000-0000-0000-0000-000000000000"

#: (method, path, body); {slug}, {booking} and {block} are filled in.
ENDPOINTS: list[tuple[str, str, Any]] = [
    ("POST", "/v1/restaurants/{slug}/bookings/{booking}/arrive", None),
    ("POST", "/v1/restaurants/{slug}/bookings/{booking}/depart", None),
    ("POST", "/v1/restaurants/{slug}/bookings/{booking}/no-show", None),
    ("DELETE", "/v1/restaurants/{slug}/bookings/{booking}/no-show", None),
    ("PATCH", "/v1/restaurants/{slug}/bookings/{booking}", {"pinned": True}),
    ("POST", "/v1/restaurants/{slug}/walk-ins", {"party_size": 2}),
    ("POST", "/v1/restaurants/{slug}/tables/A/blocks", BLOCK),
    ("DELETE", "/v1/restaurants/{slug}/tables/A/blocks/{block}", None),
    ("GET", "/v1/restaurants/{slug}/blocks", None),
]
BOOKING_ENDPOINTS = [e for e in ENDPOINTS if "{booking}" in e[1]]


def _id(endpoint: tuple[str, str, Any]) -> str:
    return f"{endpoint[0]} {endpoint[1].removeprefix('/v1/restaurants/{slug}')}"


@pytest.fixture(scope="module")
async def alpha(module_api: Api) -> dict[str, str]:
    """One pending booking and one live block of restaurant alpha."""
    booking = await module_api.book(2)
    assert booking.status_code == 201, booking.text
    block = await module_api.client.post(
        "/v1/restaurants/alpha/tables/T/blocks",
        json={
            "from": (START + timedelta(days=1)).isoformat(),
            "until": (START + timedelta(days=1, hours=1)).isoformat(),
        },
        headers=module_api.auth("alpha"),
    )
    assert block.status_code == 201, block.text
    return {"booking": booking.json()["id"], "block": block.json()["block"]["id"]}


async def _call(
    api: Api,
    endpoint: tuple[str, str, Any],
    headers: dict[str, str],
    ids: dict[str, str],
    **kw: str,
) -> httpx.Response:
    method, path, body = endpoint
    url = path.format(**{"slug": "alpha", **ids, **kw})
    return await api.client.request(method, url, json=body, headers=headers)


async def _state(api: Api, ids: dict[str, str]) -> tuple[Any, ...]:
    """What a refused request must leave as it was: alpha's booking, blocks and booking count."""
    blocks = await api.client.get("/v1/restaurants/alpha/blocks", headers=api.auth("admin"))
    return (await api.booking(ids["booking"]), blocks.json(), await api.count("bookings"))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
@pytest.mark.parametrize("key", ["none", "unknown", "revoked"])
async def test_without_a_good_key_is_401(
    module_api: Api, alpha: dict[str, str], endpoint: Any, key: str
) -> None:
    """No key, a malformed one or a revoked one: 401 unauthorized, nothing changed."""
    headers = {
        "none": {},
        "unknown": {"Authorization": "Bearer not-a-key"},
        "revoked": module_api.auth("revoked"),
    }[key]
    before = await _state(module_api, alpha)
    response = await _call(module_api, endpoint, headers, alpha)
    assert response.status_code == 401, response.text
    assert (response.json()["error"], response.json()["field"]) == ("unauthorized", "Authorization")
    assert await _state(module_api, alpha) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
async def test_another_restaurants_key_is_404(
    module_api: Api, alpha: dict[str, str], endpoint: Any
) -> None:
    """Beta's key on alpha's paths: the very 404 of a restaurant that does not exist."""
    before = await _state(module_api, alpha)
    response = await _call(module_api, endpoint, module_api.auth("beta"), alpha)
    assert response.status_code == 404, response.text
    assert response.json() == {
        "error": "not_found",
        "field": "slug",
        "detail": "no restaurant 'alpha'",
    }
    assert await _state(module_api, alpha) == before


@pytest.mark.parametrize("endpoint", BOOKING_ENDPOINTS, ids=_id)
async def test_another_restaurants_booking_is_404(
    module_api: Api, alpha: dict[str, str], endpoint: Any
) -> None:
    """Beta's key on its own restaurant cannot reach alpha's booking by id."""
    before = await _state(module_api, alpha)
    response = await _call(module_api, endpoint, module_api.auth("beta"), alpha, slug="beta")
    assert response.status_code == 404, response.text
    assert response.json()["field"] == "booking_id"
    assert await _state(module_api, alpha) == before


async def test_another_restaurants_block_is_404(module_api: Api, alpha: dict[str, str]) -> None:
    """Alpha's block cannot be lifted through beta, nor under another table, nor when unknown."""
    before = await _state(module_api, alpha)
    for slug, table, block in (("beta", "T", alpha["block"]), ("alpha", "A", alpha["block"])):
        response = await module_api.client.delete(
            f"/v1/restaurants/{slug}/tables/{table}/blocks/{block}",
            headers=module_api.auth(slug),
        )
        assert response.status_code == 404, response.text
        assert response.json()["field"] == "block_id"
    unknown = await module_api.client.delete(
        f"/v1/restaurants/alpha/tables/T/blocks/{NIL}", headers=module_api.auth("alpha")
    )
    assert unknown.status_code == 404
    assert await _state(module_api, alpha) == before


async def test_an_unknown_table_is_404(module_api: Api, alpha: dict[str, str]) -> None:
    """Blocking a table the floor does not have: 404 naming the table."""
    response = await module_api.client.post(
        "/v1/restaurants/alpha/tables/Z/blocks", json=BLOCK, headers=module_api.auth("alpha")
    )
    assert response.status_code == 404
    assert response.json()["field"] == "table"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("walk-ins", {}, "party_size"),
        ("walk-ins", {"party_size": 0}, "party_size"),
        ("walk-ins", {"party_size": "2"}, "party_size"),
        ("walk-ins", {"party_size": 9}, "party_size"),  # the floor seats eight at most
        ("walk-ins", {"party_size": 2, "zone_preference": "roof"}, "zone_preference"),
        ("walk-ins", {"party_size": 2, "table": "A"}, "table"),
        ("tables/A/blocks", {"until": UNTIL}, "from"),
        ("tables/A/blocks", {"from": FROM}, "until"),
        ("tables/A/blocks", {"from": "tonight", "until": UNTIL}, "from"),
        (
            "tables/A/blocks",
            {"from": FROM, "until": START.replace(tzinfo=None).isoformat()},
            "until",
        ),
        ("tables/A/blocks", {"from": UNTIL, "until": FROM}, "until"),
        (
            "tables/A/blocks",
            {"from": "2001-01-01T00:00:00Z", "until": "2001-01-02T00:00:00Z"},
            "until",
        ),
        ("tables/A/blocks", {**BLOCK, "reason": "x" * 300}, "reason"),
        ("tables/A/blocks", {**BLOCK, "table": "B"}, "table"),
    ],
)
async def test_bad_bodies_are_422_naming_the_field(
    module_api: Api, alpha: dict[str, str], path: str, body: Any, field: str
) -> None:
    """Each bad walk-in or block body is 422 invalid_input naming the field; nothing written."""
    before = await _state(module_api, alpha)
    response = await module_api.client.post(
        f"/v1/restaurants/alpha/{path}", json=body, headers=module_api.auth("alpha")
    )
    assert response.status_code == 422, response.text
    assert (response.json()["error"], response.json()["field"]) == ("invalid_input", field)
    assert await _state(module_api, alpha) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pinned": "yes"}, "pinned"),
        ({"pinned": 1}, "pinned"),
        ({"pinned": True, "party_size": 3}, "pinned"),
    ],
)
async def test_bad_pins_are_422_naming_the_field(
    module_api: Api, alpha: dict[str, str], body: Any, field: str
) -> None:
    """`pinned` is a boolean, given on its own."""
    before = await _state(module_api, alpha)
    response = await module_api.client.patch(
        f"/v1/restaurants/alpha/bookings/{alpha['booking']}",
        json=body,
        headers=module_api.auth("alpha"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert await _state(module_api, alpha) == before


@pytest.mark.parametrize("endpoint", BOOKING_ENDPOINTS, ids=_id)
async def test_a_bad_booking_id_is_422(
    module_api: Api, alpha: dict[str, str], endpoint: Any
) -> None:
    """A booking id that is not a UUID is 422 naming booking_id."""
    response = await _call(module_api, endpoint, module_api.auth("alpha"), alpha, booking="7")
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "booking_id"
