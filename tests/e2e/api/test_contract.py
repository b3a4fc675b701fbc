"""The API keeps its documented contract: each 409 has the body the schema gives that route,
the day of an availability query is bounded, and /docs and /redoc need no CDN."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from e2e.api.kit import Api, at

ALPHA = "/v1/restaurants/alpha"


def documented_409(schema: dict[str, Any], path: str, method: str) -> dict[str, set[str]]:
    """For a route's documented 409: each `error` code it may carry → the keys its body has."""
    response = schema["paths"][path][method]["responses"]["409"]
    body = response["content"]["application/json"]["schema"]
    variants = body.get("oneOf", [body])
    codes: dict[str, set[str]] = {}
    for ref in variants:
        model = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]
        error = model["properties"]["error"]
        for code in error.get("enum", [error.get("const")]):
            codes[code] = set(model["properties"])
    return codes


async def conforms(api: Api, response: Any, path: str, method: str) -> None:
    """A 409 whose `error` is one the route documents, with exactly that variant's keys."""
    assert response.status_code == 409, response.text
    schema = (await api.client.get("/openapi.json")).json()
    codes = documented_409(schema, path, method)
    body = response.json()
    assert body["error"] in codes, (body, codes)
    assert set(body) == codes[body["error"]]


async def _full_at_start(api: Api) -> str:
    """Eight on B+C, two on A and two on T at START; returns the eight's booking id."""
    eight = (await api.book(8, wait_ms=2000)).json()
    for _ in range(2):
        await api.book(2, wait_ms=2000)
    return str(eight["id"])


async def test_every_409_is_the_body_its_route_documents(api: Api) -> None:
    """no_availability (with alternatives) from create and modify; booking_closed (without)
    from modify, cancel, requeue and assign; tables_taken from assign."""
    eight = await _full_at_start(api)
    bookings = f"{ALPHA}/bookings"
    item = "/v1/restaurants/{slug}/bookings/{booking_id}"
    full = await api.book(2)
    await conforms(api, full, "/v1/restaurants/{slug}/bookings", "post")
    assert full.json()["alternatives"]
    early = (await api.book(2, at(hours=-4))).json()["id"]
    moved = await api.client.patch(
        f"{bookings}/{early}", json={"start_at": at()}, headers=api.auth("alpha")
    )
    await conforms(api, moved, item, "patch")
    assert moved.json()["error"] == "no_availability"
    first, second = [(await api.book(2, at(hours=-3))).json()["id"] for _ in range(2)]
    for booking, status in ((first, 200), (second, 409)):  # both on A at 16:00
        taken = await api.client.post(
            f"{bookings}/{booking}/assign", json={"tables": ["A"]}, headers=api.auth("alpha")
        )
        assert taken.status_code == status, taken.text
    await conforms(api, taken, item + "/assign", "post")
    assert taken.json()["error"] == "tables_taken"
    await api.sql(
        "UPDATE bookings SET status = 'seated', seated_at = start_at WHERE id = %s", eight
    )
    for method, suffix, json, route in (
        ("PATCH", "", {"party_size": 2}, item),
        ("POST", "/cancel", None, item + "/cancel"),
        ("POST", "/requeue", None, item + "/requeue"),
        ("POST", "/assign", {"tables": ["A"]}, item + "/assign"),
    ):
        closed = await api.client.request(
            method, f"{bookings}/{eight}{suffix}", json=json, headers=api.auth("alpha")
        )
        await conforms(api, closed, route, method.lower())
        assert closed.json()["error"] == "booking_closed" and "alternatives" not in closed.json()


async def test_routes_that_cannot_conflict_document_no_409(api: Api) -> None:
    """Reads and the availability grid list no 409; the ones that can, list the codes."""
    schema = (await api.client.get("/openapi.json")).json()
    with_409 = {
        (path, method)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if "409" in operation["responses"]
    }
    base = "/v1/restaurants/{slug}"
    assert with_409 == {
        (f"{base}/bookings", "post"),
        (f"{base}/bookings/{{booking_id}}", "patch"),
        (f"{base}/bookings/{{booking_id}}/cancel", "post"),
        (f"{base}/bookings/{{booking_id}}/requeue", "post"),
        (f"{base}/bookings/{{booking_id}}/assign", "post"),
        (f"{base}/floor", "put"),
        (f"{base}/bookings/{{booking_id}}/arrive", "post"),
        (f"{base}/bookings/{{booking_id}}/depart", "post"),
        (f"{base}/bookings/{{booking_id}}/no-show", "post"),
        (f"{base}/bookings/{{booking_id}}/no-show", "delete"),
        (f"{base}/walk-ins", "post"),
    }
    patch = documented_409(schema, f"{base}/bookings/{{booking_id}}", "patch")
    assert "alternatives" in patch["no_availability"]
    assert "alternatives" not in patch["booking_closed"]
    assert set(documented_409(schema, f"{base}/bookings/{{booking_id}}/assign", "post")) == {
        "booking_closed",
        "assignment_in_progress",
        "tables_taken",
        "conflict",
        "outside_service_hours",
        "closed",
    }
    post = documented_409(schema, f"{base}/bookings", "post")
    for code in ("no_availability", "outside_service_hours", "closed", "pacing"):
        assert "alternatives" in post[code] and "alternatives" in patch[code]


@pytest.mark.parametrize(
    ("day", "detail"),
    [
        ("9999-12-31", "days ahead"),
        ("9999-12-30", "days ahead"),
        ("0001-01-01", "in the past"),
        ((datetime.now(UTC) + timedelta(days=368)).date().isoformat(), "days ahead"),
        ((datetime.now(UTC) - timedelta(days=2)).date().isoformat(), "in the past"),
    ],
)
async def test_availability_outside_the_booking_horizon_is_422_naming_date(
    module_api: Api, day: str, detail: str
) -> None:
    """A day no booking could be made on is 422 `date`, never a 500 (9999-12-31 overflowed)."""
    response = await module_api.client.get(
        f"{ALPHA}/availability?party_size=2&date={day}", headers=module_api.auth("alpha")
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "date" and detail in response.json()["detail"]


async def test_availability_at_the_horizon_lists_only_bookable_times(module_api: Api) -> None:
    """On the last day of the horizon only starts within 366 days are listed, and they book."""
    now = datetime.now(UTC)
    horizon = now + timedelta(days=366)
    for day in (horizon.date(), (horizon + timedelta(days=1)).date(), (now - timedelta(days=1))):
        response = await module_api.client.get(
            f"{ALPHA}/availability?party_size=2&date={day.isoformat()[:10]}",
            headers=module_api.auth("alpha"),
        )
        assert response.status_code == 200, response.text
        times = [datetime.fromisoformat(t) for t in response.json()["times"]]
        assert all(now < t <= horizon for t in times), (day, times)
    last = (
        await module_api.client.get(
            f"{ALPHA}/availability?party_size=2&date={horizon.date()}",
            headers=module_api.auth("alpha"),
        )
    ).json()["times"]
    if last:  # empty only when the horizon falls before the day's opening
        assert (await module_api.book(2, last[-1])).status_code == 201


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize(("page", "assets"), [("/docs", 3), ("/redoc", 2)])
async def test_docs_pages_load_their_assets_from_the_app(
    module_api: Api, page: str, assets: int
) -> None:
    """/docs and /redoc reference only this app's URLs — no CDN, no web fonts — and each asset
    answers 200 with real content."""
    response = await module_api.client.get(page)
    assert response.status_code == 200
    assert "http://" not in response.text and "https://" not in response.text
    urls = _asset_urls(response.text)
    assert len(urls) == assets, urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = await module_api.client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
    spec = re.search(r"(?:url: |spec-url=)['\"]([^'\"]+)['\"]", response.text)
    assert spec is not None and spec.group(1) == "/openapi.json"
