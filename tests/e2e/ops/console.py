"""Helpers for the console tests: signing in over HTTP (the form's CSRF token read off the page),
and bookings put where a test needs them (in review, or seated on tables by the review action)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from e2e.api.kit import Api, at, send_to_review

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match is not None, "no CSRF field on the page"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, key: str) -> str:
    """Sign in with `key`; the session's CSRF token (what every later form must send)."""
    form = await client.get("/ops/signin")
    response = await client.post(
        "/ops/signin", data={"csrf_token": csrf_of(form.text), "key": key, "then": "/ops"}
    )
    assert response.status_code == 303, response.text
    page = await client.get("/ops/rollout")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


async def in_review(
    api: Api, party_size: int, start_at: str | None = None, slug: str = "alpha"
) -> str:
    """A booking made through the API, then sent to manual review as a pipeline would."""
    made = await api.book(party_size, start_at, who=slug, slug=slug)
    booking_id: str = made.json()["id"]
    await send_to_review(api.url, booking_id)
    return booking_id


async def seated_on(api: Api, tables: list[str], party_size: int = 2, **when: Any) -> str:
    """A booking placed on `tables` by hand (the API's assign), as the console shows them."""
    booking_id = await in_review(api, party_size, at(**when) if when else None)
    response = await api.client.post(
        f"/v1/restaurants/alpha/bookings/{booking_id}/assign",
        json={"tables": tables},
        headers=api.auth("alpha"),
    )
    assert response.status_code == 200, response.text
    return booking_id


async def add_terminal_events(api: Api, slug: str, count: int) -> None:
    """`count` V3 confirmations of restaurant `slug`, a few minutes old, as the coordinator
    writes them."""
    await api.sql(
        "INSERT INTO observability_events (created_at, source, event_type, severity,"
        " restaurant_id, context) SELECT now() - interval '5 minutes', 'assignment.coordinator',"
        " 'coordinator.confirmed', 'info', %s, '{\"duration_ms\": 4}'::jsonb"
        " FROM generate_series(1, %s)",
        api.restaurants[slug],
        count,
    )
