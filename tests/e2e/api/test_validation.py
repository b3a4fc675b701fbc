"""Bad input is a 4xx in one JSON shape naming the field — never a 500 — and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from e2e.api.kit import START, Api, at

BOOKINGS = "/v1/restaurants/alpha/bookings"
PAST = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
S = START.isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"party_size": 0, "start_at": S}, "party_size"),
        ({"party_size": 9, "start_at": S}, "party_size"),  # the floor seats eight at most
        ({"party_size": 10**30, "start_at": S}, "party_size"),
        ({"party_size": "2", "start_at": S}, "party_size"),
        ({"party_size": True, "start_at": S}, "party_size"),
        ({"party_size": 2.5, "start_at": S}, "party_size"),
        ({"start_at": S}, "party_size"),
        ({"party_size": 2}, "start_at"),
        ({"party_size": 2, "start_at": PAST}, "start_at"),
        ({"party_size": 2, "start_at": START.replace(tzinfo=None).isoformat()}, "start_at"),
        ({"party_size": 2, "start_at": "tomorrow at seven"}, "start_at"),
        ({"party_size": 2, "start_at": 1_900_000_000}, "start_at"),
        ({"party_size": 2, "start_at": "9999-12-31T23:59:59+00:00"}, "start_at"),
        ({"party_size": 2, "start_at": "0001-01-01T00:00:00+14:00"}, "start_at"),
        ({"party_size": 2, "start_at": S, "zone_preference": "roof"}, "zone_preference"),
        ({"party_size": 2, "start_at": S, "zone_preference": 7}, "zone_preference"),
        ({"party_size": 2, "start_at": S, "table": "A"}, "table"),
        ({"party_size": 2, "start_at": S, "guest": {"name": "x", "age": 40}}, "guest.age"),
        ({"party_size": 2, "start_at": S, "guest": {"name": "a\u0000b"}}, "guest.name"),
        ({"party_size": 2, "start_at": S, "guest": {"email": "x" * 400}}, "guest.email"),
        ({"party_size": 2, "start_at": S, "guest": "Zelda"}, "guest"),
        ([{"party_size": 2, "start_at": S}], "body"),
        ("two at seven", "body"),
        (None, "body"),
    ],
)
async def test_bad_booking_bodies_are_422_naming_the_field(
    module_api: Api, body: Any, field: str
) -> None:
    """Each bad booking body is 422 invalid_input naming the field, and creates nothing."""
    before = await module_api.count("bookings")
    response = await module_api.client.post(BOOKINGS, json=body, headers=module_api.auth("alpha"))
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error", "field", "detail"}
    assert response.json()["error"] == "invalid_input"
    assert response.json()["field"] == field
    assert await module_api.count("bookings") == before


@pytest.mark.parametrize(
    ("method", "path", "content", "status", "field"),
    [
        ("POST", BOOKINGS, b'{"party_size": 2,', 422, "body"),
        ("POST", f"{BOOKINGS}?wait_ms=9999", b"{}", 422, "wait_ms"),
        ("POST", f"{BOOKINGS}?wait_ms=soon", b"{}", 422, "wait_ms"),
        ("GET", f"{BOOKINGS}/not-a-uuid", None, 422, "booking_id"),
        ("GET", f"{BOOKINGS}/00000000-0000-0000-0000-000000000000", None, 404, "booking_id"),
        ("POST", f"{BOOKINGS}/123/cancel", None, 422, "booking_id"),
        ("PATCH", f"{BOOKINGS}/00000000-0000-0000-0000-000000000000", b"{}", 422, "body"),
        (
            "GET",
            "/v1/restaurants/alpha/availability?party_size=0&date=2030-01-01",
            None,
            422,
            "party_size",
        ),
        (
            "GET",
            "/v1/restaurants/alpha/availability?party_size=99&date=2030-01-01",
            None,
            422,
            "party_size",
        ),
        ("GET", "/v1/restaurants/alpha/availability?party_size=2&date=soon", None, 422, "date"),
        ("GET", "/v1/restaurants/alpha/availability?party_size=2", None, 422, "date"),
        ("GET", "/v1/restaurants/al%00pha/floor", None, 404, "slug"),
        ("POST", BOOKINGS, b"x" * (64 * 1024 + 1), 413, "body"),
    ],
)
async def test_bad_requests_are_4xx_naming_the_field(
    module_api: Api, method: str, path: str, content: bytes | None, status: int, field: str
) -> None:
    """Malformed JSON, ids, query values and oversized bodies are 4xx with the field, never 500."""
    headers = {**module_api.auth("alpha"), "Content-Type": "application/json"}
    response = await module_api.client.request(method, path, content=content, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field


async def test_a_patch_with_unknown_fields_changes_nothing(module_api: Api) -> None:
    """A PATCH carrying an unknown field is refused whole, even beside a valid change."""
    booking = (await module_api.book(2, at(days=1))).json()
    response = await module_api.client.patch(
        f"{BOOKINGS}/{booking['id']}",
        json={"party_size": 3, "status": "confirmed"},
        headers=module_api.auth("alpha"),
    )
    assert (response.status_code, response.json()["field"]) == (422, "status")
    assert await module_api.booking(booking["id"]) == booking


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(datetime.isoformat)
#: Times a booking can really take (the next two weeks, on the quarter hour), so some bodies pass.
_soon = st.integers(min_value=-4, max_value=14 * 24 * 4).map(
    lambda quarters: (START + timedelta(minutes=15 * quarters)).isoformat()
)
_guests = st.fixed_dictionaries(
    {}, optional={k: st.text(max_size=40) | _json for k in ("name", "phone", "email", "extra")}
)
_bookings = st.fixed_dictionaries(
    {},
    optional={
        "party_size": st.integers(min_value=-3, max_value=12) | _json,
        "start_at": _soon | _times | st.text(max_size=30) | _json,
        "zone_preference": st.sampled_from(["main", "terrace"]) | _json,
        "guest": _guests | _json,
        "ref": _json,
    },
)


#: Required fields right, the rest drawn freely: reaches creation, 409 and guest validation.
_nearly_valid = st.fixed_dictionaries(
    {"party_size": st.integers(min_value=1, max_value=9), "start_at": _soon},
    optional={
        "zone_preference": st.sampled_from(["main", "terrace", "roof"]),
        "guest": _guests | _json,
    },
)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_nearly_valid | _bookings | _json)
async def test_no_booking_body_causes_a_server_error(module_api: Api, body: Any) -> None:
    """Whatever JSON is posted as a booking, the answer is below 500 and errors keep their shape."""
    response = await module_api.client.post(BOOKINGS, json=body, headers=module_api.auth("alpha"))
    event(f"status {response.status_code}")  # --hypothesis-show-statistics shows the spread
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()) >= {"error", "field", "detail"}
