"""Webhook endpoints over HTTP: tenancy (another restaurant's endpoint is 404), admin-wide
endpoints, the secret shown once, bad input and refused receiver addresses (422 on the field)."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.api.kit import Api, serving

HOOKS = "/v1/restaurants/{slug}/webhooks"
PUBLIC = "https://93.184.215.14/hook"  # a public address: nothing is sent at registration


async def _create(api: Api, who: str, slug: str, **body: Any) -> Any:
    return await api.client.post(
        HOOKS.format(slug=slug), json={"url": PUBLIC, **body}, headers=api.auth(who)
    )


async def test_another_restaurants_endpoint_is_404(api: Api) -> None:
    """beta's key cannot list, read, change, delete, log or replay alpha's endpoint: 404 as if
    it did not exist; alpha's key and an admin key can."""
    created = (await _create(api, "alpha", "alpha")).json()
    item = f"{HOOKS.format(slug='alpha')}/{created['id']}"
    beta_item = f"{HOOKS.format(slug='beta')}/{created['id']}"
    for method, path, body in (
        ("GET", item, None),
        ("GET", beta_item, None),
        ("PATCH", beta_item, {"enabled": False}),
        ("DELETE", beta_item, None),
        ("GET", beta_item + "/deliveries", None),
        ("POST", beta_item + "/replay", {"since": "2026-01-01T00:00:00Z"}),
    ):
        response = await api.client.request(method, path, json=body, headers=api.auth("beta"))
        assert response.status_code == 404, (method, path, response.text)
    listed = await api.client.get(HOOKS.format(slug="beta"), headers=api.auth("beta"))
    assert listed.json() == []
    for who in ("alpha", "admin"):
        response = await api.client.get(item, headers=api.auth(who))
        assert response.status_code == 200 and response.json()["restaurant"] == "alpha"


async def test_the_secret_is_shown_once(api: Api) -> None:
    """Creation returns the secret; no read, list or change ever does again."""
    created = (await _create(api, "alpha", "alpha", event_types=["booking.moved"])).json()
    assert created["secret"].startswith("whsec_") and created["event_types"] == ["booking.moved"]
    item = f"{HOOKS.format(slug='alpha')}/{created['id']}"
    reads = [
        (await api.client.get(item, headers=api.auth("alpha"))).json(),
        *(await api.client.get(HOOKS.format(slug="alpha"), headers=api.auth("alpha"))).json(),
        (await api.client.patch(item, json={"enabled": False}, headers=api.auth("alpha"))).json(),
    ]
    assert all("secret" not in read for read in reads)
    assert reads[-1]["enabled"] is False
    stored = await api.sql("SELECT secret FROM webhook_endpoints")
    assert stored == [{"secret": created["secret"]}]


async def test_admin_wide_endpoints_need_an_admin_key(api: Api) -> None:
    """`/v1/webhooks` is admin-only (403 for a restaurant key); its endpoints belong to nobody
    and do not show among a restaurant's."""
    refused = await api.client.get("/v1/webhooks", headers=api.auth("alpha"))
    assert refused.status_code == 403
    made = await api.client.post("/v1/webhooks", json={"url": PUBLIC}, headers=api.auth("admin"))
    assert made.status_code == 201 and made.json()["restaurant"] is None
    alpha = await api.client.get(HOOKS.format(slug="alpha"), headers=api.auth("admin"))
    assert alpha.json() == []
    deleted = await api.client.delete(
        f"/v1/webhooks/{made.json()['id']}", headers=api.auth("admin")
    )
    assert deleted.status_code == 204


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:9000/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:192.168.0.1]/hook", "private"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("ftp://example.com/hook", "http:// or https://"),
        ("https://user:pw@example.com/hook", "user name or password"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
async def test_refused_receivers_are_422_on_url(api: Api, url: str, why: str) -> None:
    """Receivers on loopback, private, link-local or unspecified addresses (server-side request
    forgery) and malformed URLs are refused, naming `url`."""
    response = await _create(api, "alpha", "alpha", url=url)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "url" and why in response.json()["detail"]
    assert await api.count("webhook_endpoints") == 0


async def test_private_receivers_are_allowed_when_the_setting_says_so(db_url: str) -> None:
    """SEATFLOW_WEBHOOK_ALLOW_PRIVATE=true lets a local receiver register."""
    async with serving(db_url, SEATFLOW_WEBHOOK_ALLOW_PRIVATE=True) as api:
        response = await _create(api, "alpha", "alpha", url="http://127.0.0.1:9/hook")
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_types": ["booking.exploded"]}, "event_types"),
        ({"event_types": []}, "event_types"),
        ({"enabled": "yes"}, "enabled"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_bodies_are_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    """Unknown event types, empty lists, wrong types and unknown keys are 422 on the field."""
    response = await _create(api, "alpha", "alpha", **body)
    assert response.status_code == 422, response.text
    assert field in response.json()["field"]


async def test_replay_needs_an_event_or_a_range(api: Api) -> None:
    """A replay without event_id or since, or with both, is 422."""
    created = (await _create(api, "alpha", "alpha")).json()
    path = f"{HOOKS.format(slug='alpha')}/{created['id']}/replay"
    for body in ({}, {"event_id": created["id"], "since": "2026-01-01T00:00:00Z"}):
        response = await api.client.post(path, json=body, headers=api.auth("alpha"))
        assert response.status_code == 422, response.text
