"""Every endpoint behind a key: 401 without one or with a bad one, 404 for another restaurant's
data (exactly as if it did not exist, and nothing changes), 403 for admin views without admin."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from e2e.api.kit import START, Api, floor_doc
from seatflow.store.api_keys import generate_key

#: (method, path, JSON body) of every restaurant-scoped endpoint; {slug} and {booking} filled in.
RESTAURANT_ENDPOINTS: list[tuple[str, str, Any]] = [
    ("POST", "/v1/restaurants/{slug}/bookings", {"party_size": 2, "start_at": START.isoformat()}),
    ("GET", f"/v1/restaurants/{{slug}}/availability?party_size=2&date={START.date()}", None),
    ("GET", "/v1/restaurants/{slug}/bookings/{booking}", None),
    ("PATCH", "/v1/restaurants/{slug}/bookings/{booking}", {"party_size": 3}),
    ("POST", "/v1/restaurants/{slug}/bookings/{booking}/cancel", None),
    ("PUT", "/v1/restaurants/{slug}/floor", floor_doc("alpha", name="Renamed")),
    ("GET", "/v1/restaurants/{slug}/floor", None),
    ("GET", "/v1/restaurants/{slug}/review", None),
    ("POST", "/v1/restaurants/{slug}/bookings/{booking}/assign", {"tables": ["A"]}),
    ("POST", "/v1/restaurants/{slug}/bookings/{booking}/requeue", None),
]
ADMIN_ENDPOINTS: list[tuple[str, str, Any]] = [
    ("GET", "/v1/rollout/status", None),
    ("GET", "/v1/events", None),
]
ALL_ENDPOINTS = RESTAURANT_ENDPOINTS + ADMIN_ENDPOINTS
BOOKING_ENDPOINTS = [e for e in RESTAURANT_ENDPOINTS if "{booking}" in e[1]]


def _id(endpoint: tuple[str, str, Any]) -> str:
    return f"{endpoint[0]} {endpoint[1].split('?')[0]}"


@pytest.fixture(scope="module")
async def alpha_booking(module_api: Api) -> str:
    """One pending booking of restaurant alpha that the requests below try to reach."""
    response = await module_api.book(2)
    assert response.status_code == 201, response.text
    booking_id: str = response.json()["id"]
    return booking_id


async def _call(
    api: Api,
    endpoint: tuple[str, str, Any],
    headers: dict[str, str],
    *,
    slug: str = "alpha",
    booking: str,
) -> httpx.Response:
    method, path, body = endpoint
    return await api.client.request(
        method, path.format(slug=slug, booking=booking), json=body, headers=headers
    )


async def _snapshot(api: Api, booking: str) -> tuple[Any, ...]:
    """What a forbidden request must leave unchanged: alpha's booking, floor and booking count."""
    floor = await api.client.get("/v1/restaurants/alpha/floor", headers=api.auth("admin"))
    return (await api.booking(booking), floor.json(), await api.count("bookings"))


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=_id)
async def test_no_key_is_401(module_api: Api, alpha_booking: str, endpoint: Any) -> None:
    """Without an Authorization header every endpoint answers 401 in the error shape."""
    response = await _call(module_api, endpoint, {}, booking=alpha_booking)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.json()["field"] == "Authorization"
    assert response.headers["www-authenticate"] == "Bearer"


BAD_KEYS = {
    "malformed": lambda api: "not-a-key",
    "unknown": lambda api: generate_key().token,
    "wrong-secret": lambda api: api.keys["alpha"][:-4] + "AAAA",
    "revoked": lambda api: api.keys["revoked"],
    "basic-scheme": lambda api: None,
}


@pytest.mark.parametrize("kind", sorted(BAD_KEYS))
@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=_id)
async def test_bad_key_is_401(
    module_api: Api, alpha_booking: str, endpoint: Any, kind: str
) -> None:
    """A malformed, unknown, wrongly-signed or revoked key (or not a bearer) is 401 everywhere."""
    token = BAD_KEYS[kind](module_api)
    headers = (
        {"Authorization": "Basic dXNlcjpwYXNz"}
        if token is None
        else {"Authorization": f"Bearer {token}"}
    )
    before = await _snapshot(module_api, alpha_booking)
    response = await _call(module_api, endpoint, headers, booking=alpha_booking)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthorized"
    assert await _snapshot(module_api, alpha_booking) == before


@pytest.mark.parametrize("endpoint", RESTAURANT_ENDPOINTS, ids=_id)
async def test_a_bad_key_is_401_before_the_restaurant_is_judged(
    module_api: Api, alpha_booking: str, endpoint: Any
) -> None:
    """The key and the restaurant are read together, but an unknown key on a restaurant that
    does not exist is still 401: nothing about restaurants is told to an unknown caller."""
    headers = {"Authorization": f"Bearer {generate_key().token}"}
    response = await _call(module_api, endpoint, headers, slug="nowhere", booking=alpha_booking)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize("endpoint", RESTAURANT_ENDPOINTS, ids=_id)
async def test_other_restaurants_key_is_404(
    module_api: Api, alpha_booking: str, endpoint: Any
) -> None:
    """Beta's key on alpha's paths gets the same 404 as a restaurant that does not exist, and
    alpha's booking, floor and bookings stay exactly as they were."""
    before = await _snapshot(module_api, alpha_booking)
    response = await _call(module_api, endpoint, module_api.auth("beta"), booking=alpha_booking)
    assert response.status_code == 404, response.text
    assert response.json() == {
        "error": "not_found",
        "field": "slug",
        "detail": "no restaurant 'alpha'",
    }
    missing = await _call(
        module_api, endpoint, module_api.auth("beta"), slug="nowhere", booking=alpha_booking
    )
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no restaurant 'nowhere'"
    assert await _snapshot(module_api, alpha_booking) == before


@pytest.mark.parametrize("endpoint", BOOKING_ENDPOINTS, ids=_id)
async def test_other_restaurants_booking_is_404(
    module_api: Api, alpha_booking: str, endpoint: Any
) -> None:
    """Beta's key on its own restaurant cannot reach alpha's booking by id: 404, unchanged."""
    before = await _snapshot(module_api, alpha_booking)
    response = await _call(
        module_api, endpoint, module_api.auth("beta"), slug="beta", booking=alpha_booking
    )
    assert response.status_code == 404, response.text
    assert response.json() == {
        "error": "not_found",
        "field": "booking_id",
        "detail": f"no booking {alpha_booking}",
    }
    assert await _snapshot(module_api, alpha_booking) == before


@pytest.mark.parametrize("endpoint", ADMIN_ENDPOINTS, ids=_id)
async def test_admin_views_refuse_restaurant_keys(
    module_api: Api, alpha_booking: str, endpoint: Any
) -> None:
    """The rollout gate and the event log are for admin keys: a restaurant key gets 403."""
    response = await _call(module_api, endpoint, module_api.auth("alpha"), booking=alpha_booking)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    allowed = await _call(module_api, endpoint, module_api.auth("admin"), booking=alpha_booking)
    assert allowed.status_code == 200


async def test_own_key_and_admin_key_reach_the_booking(module_api: Api, alpha_booking: str) -> None:
    """The restaurant's own key and an admin key both read the booking."""
    path = f"/v1/restaurants/alpha/bookings/{alpha_booking}"
    for who in ("alpha", "admin"):
        response = await module_api.client.get(path, headers=module_api.auth(who))
        assert response.status_code == 200
        assert response.json()["id"] == alpha_booking
