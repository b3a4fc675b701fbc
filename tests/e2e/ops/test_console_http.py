"""The ops console over HTTP (no browser): sign-in and its cookie, CSRF on every form, a
restaurant key held to its restaurant, and what the pages show against the database."""

from __future__ import annotations

import re

import httpx
import pytest

from e2e.api.kit import START, Api, at
from e2e.ops.console import add_terminal_events, csrf_of, in_review, seated_on, sign_in
from seatflow.store.api_keys import parse_token

DAY = START.date().isoformat()


def _client(api: Api) -> httpx.AsyncClient:
    """A browser of its own: its own cookie jar, redirects not followed."""
    return httpx.AsyncClient(transport=api.client._transport, base_url="http://seatflow.test")


async def test_sign_in_sets_a_signed_http_only_same_site_cookie(api: Api) -> None:
    """A good key signs in (303) with an HttpOnly, SameSite=Lax cookie scoped to /ops."""
    async with _client(api) as client:
        form = await client.get("/ops/signin")
        cookie = form.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/ops" in cookie
        response = await client.post(
            "/ops/signin", data={"csrf_token": csrf_of(form.text), "key": api.keys["alpha"]}
        )
        assert response.status_code == 303
        assert api.keys["alpha"] not in response.headers["set-cookie"]  # never the key itself
        home = await client.get("/ops")
        assert home.status_code == 303 and home.headers["location"] == "/ops/r/alpha/day"


@pytest.mark.parametrize("who", ["revoked", "garbage"])
async def test_a_bad_key_is_refused_on_the_page(api: Api, who: str) -> None:
    """An unknown or revoked key gets the form again with 401, and no session."""
    key = api.keys.get(who, "sf_nothing_here")
    async with _client(api) as client:
        form = await client.get("/ops/signin")
        response = await client.post(
            "/ops/signin", data={"csrf_token": csrf_of(form.text), "key": key}
        )
        assert response.status_code == 401
        assert "Unknown or revoked API key" in response.text
        assert (await client.get("/ops/r/alpha/day")).status_code == 303


async def test_pages_without_a_session_send_the_browser_to_sign_in(api: Api) -> None:
    """Every page redirects to the sign-in form, remembering where it was going."""
    async with _client(api) as client:
        for path in ("/ops", "/ops/r/alpha/day", "/ops/r/alpha/timeline", "/ops/rollout"):
            response = await client.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"] == f"/ops/signin?next={path}"
        action = await client.post("/ops/r/alpha/bookings/x/requeue", data={})
        assert action.headers["location"] == "/ops/signin?next=/ops"
        polled = await client.get("/ops/r/alpha/timeline/grid", headers={"HX-Request": "true"})
        assert polled.headers["HX-Redirect"].startswith("/ops/signin?next=")


async def test_a_tampered_cookie_is_no_session(api: Api) -> None:
    """Changing one character of the signed cookie signs the browser out."""
    async with _client(api) as client:
        await sign_in(client, api.keys["alpha"])
        value = client.cookies["seatflow_ops"]
        client.cookies.clear()
        flipped = "A" if value[-2] != "A" else "B"
        client.cookies.set("seatflow_ops", value[:-2] + flipped + value[-1:], path="/ops")
        assert (await client.get("/ops/r/alpha/day")).status_code == 303


async def test_revoking_the_key_ends_its_sessions(api: Api) -> None:
    """A session lasts only as long as its key: revoked, the next page asks to sign in."""
    async with _client(api) as client:
        await sign_in(client, api.keys["beta"])
        assert (await client.get("/ops/r/beta/day")).status_code == 200
        prefix = parse_token(api.keys["beta"])
        assert prefix is not None
        await api.sql("UPDATE api_keys SET revoked_at = now() WHERE prefix = %s", prefix[0])
        assert (await client.get("/ops/r/beta/day")).status_code == 303


async def test_a_form_without_its_csrf_token_is_refused(api: Api) -> None:
    """Sign-in, sign-out and every action need the session's token: without it, 403."""
    booking_id = await in_review(api, 2)
    async with _client(api) as client:
        form = await client.get("/ops/signin")
        refused = await client.post("/ops/signin", data={"key": api.keys["alpha"]})
        assert refused.status_code == 403
        csrf = await sign_in(client, api.keys["alpha"])
        path = f"/ops/r/alpha/bookings/{booking_id}/assign"
        for data in ({"tables": "A"}, {"tables": "A", "csrf_token": "forged"}):
            response = await client.post(path, data=data)
            assert response.status_code == 403, data
            assert "security token" in response.text
        assert (await client.post("/ops/signout", data={})).status_code == 403
        assert (await api.booking(booking_id))["assignment_state"] == "manual_review"
        done = await client.post(path, data={"tables": "A", "csrf_token": csrf})
        assert done.status_code == 303
        assert form.status_code == 200


async def test_sign_out_ends_the_session(api: Api) -> None:
    """After signing out, pages ask to sign in again."""
    async with _client(api) as client:
        csrf = await sign_in(client, api.keys["alpha"])
        out = await client.post("/ops/signout", data={"csrf_token": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/ops/signin"
        assert (await client.get("/ops/r/alpha/day")).status_code == 303


async def test_a_restaurant_key_cannot_open_another_restaurants_pages(api: Api) -> None:
    """Beta's pages and bookings are 404 to alpha's key — as a restaurant that does not exist."""
    beta_booking = await in_review(api, 2, slug="beta")
    async with _client(api) as client:
        csrf = await sign_in(client, api.keys["alpha"])
        for path in (
            "/ops/r/beta/day",
            "/ops/r/beta/timeline",
            "/ops/r/beta/timeline/grid",
            "/ops/r/beta/review",
            f"/ops/r/beta/bookings/{beta_booking}",
            "/ops/r/nowhere/day",
        ):
            response = await client.get(path)
            assert response.status_code == 404, path
            assert "No restaurant" in response.text
        post = await client.post(
            f"/ops/r/beta/bookings/{beta_booking}/assign", data={"tables": "A", "csrf_token": csrf}
        )
        assert post.status_code == 404
        borrowed = await client.get(f"/ops/r/alpha/bookings/{beta_booking}")
        assert borrowed.status_code == 404
    assert (await api.booking(beta_booking, "beta"))["assignment_state"] == "manual_review"


async def test_an_admin_key_sees_every_restaurant(api: Api) -> None:
    """The admin's front page lists the restaurants, and each one's pages open."""
    async with _client(api) as client:
        await sign_in(client, api.keys["admin"])
        home = await client.get("/ops")
        assert home.status_code == 200
        assert "/ops/r/alpha/day" in home.text and "/ops/r/beta/day" in home.text
        assert (await client.get("/ops/r/beta/day")).status_code == 200


async def test_the_day_sheet_lists_the_days_bookings_with_totals(api: Api) -> None:
    """Every booking of the date with its time, party, status, tables and source; filters narrow."""
    placed = await seated_on(api, ["B", "C"], party_size=6)
    waiting = await in_review(api, 2, at(hours=1))
    await api.book(2, at(days=1))  # another day: not on this sheet
    async with _client(api) as client:
        await sign_in(client, api.keys["alpha"])
        sheet = await client.get(f"/ops/r/alpha/day?date={DAY}")
        assert sheet.status_code == 200
        rows = re.findall(r'<tr data-booking-id="([^"]+)"', sheet.text)
        assert sorted(rows) == sorted([placed, waiting])
        assert 'data-total="covers_booked">8<' in sheet.text
        assert "B+C" in sheet.text and "no_capacity" in sheet.text
        review = await client.get(f"/ops/r/alpha/day?date={DAY}&status=review")
        assert re.findall(r'<tr data-booking-id="([^"]+)"', review.text) == [waiting]
        found = await client.get(f"/ops/r/alpha/day?date={DAY}&q={placed[:8]}")
        assert re.findall(r'<tr data-booking-id="([^"]+)"', found.text) == [placed]
        bad = await client.get("/ops/r/alpha/day?date=tomorrow")
        assert bad.status_code == 422


async def test_the_timeline_draws_each_placed_booking_on_its_tables(api: Api) -> None:
    """One bar per placed booking, on exactly its tables (joined B+C as one bar spanning both)."""
    joined = await seated_on(api, ["B", "C"], party_size=6)
    single = await seated_on(api, ["T"], party_size=2, hours=1)
    async with _client(api) as client:
        await sign_in(client, api.keys["alpha"])
        page = await client.get(f"/ops/r/alpha/timeline?date={DAY}")
        assert page.status_code == 200
        bars = dict(re.findall(r'data-booking-id="([^"]+)"\s+data-tables="([^"]*)"', page.text))
        assert bars == {joined: "B,C", single: "T"}
        assert page.text.count(f'data-booking-id="{joined}"') == 1  # B and C are neighbours
        assert 'hx-trigger="every' in page.text
        grid = await client.get(f"/ops/r/alpha/timeline/grid?date={DAY}")
        assert grid.status_code == 200 and "<html" not in grid.text
        detail = await client.get(f"/ops/r/alpha/bookings/{joined}")
        assert detail.status_code == 200
        assert "manual_review → " in detail.text and "B+C" in detail.text


async def test_a_suggestion_assigns_through_the_api_pipeline(api: Api) -> None:
    """The queue ranks the free sets; assigning one confirms the booking on it, as the API does."""
    booking_id = await in_review(api, 6)
    async with _client(api) as client:
        csrf = await sign_in(client, api.keys["alpha"])
        page = await client.get("/ops/r/alpha/review")
        assert page.status_code == 200
        suggested = re.findall(r'class="suggestion" data-tables="([^"]+)"', page.text)
        assert suggested == ["B,C"]
        response = await client.post(
            f"/ops/r/alpha/bookings/{booking_id}/assign",
            data={"tables": "B,C", "csrf_token": csrf, "back": "review"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert "Confirmed on B+C" in response.text
    booking = await api.booking(booking_id)
    assert (booking["status"], sorted(booking["tables"])) == ("confirmed", ["B", "C"])
    assert booking["history"][-1]["actor"].startswith("api:")


async def test_a_refused_assignment_shows_on_the_item(api: Api) -> None:
    """Tables taken meanwhile: the item says so (no error page), the booking stays in review."""
    booking_id = await in_review(api, 2)
    await seated_on(api, ["A"], party_size=2)
    async with _client(api) as client:
        csrf = await sign_in(client, api.keys["alpha"])
        response = await client.post(
            f"/ops/r/alpha/bookings/{booking_id}/assign",
            data={"tables": "A", "csrf_token": csrf, "back": "review"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert 'class="notice error"' in response.text
    assert (await api.booking(booking_id))["assignment_state"] == "manual_review"


async def test_requeue_and_pin_act_as_the_api_does(api: Api) -> None:
    """Requeue sends the booking back to the pipeline; pin marks it pinned."""
    first = await in_review(api, 2)
    second = await in_review(api, 2, at(hours=1))
    async with _client(api) as client:
        csrf = await sign_in(client, api.keys["alpha"])
        base = "/ops/r/alpha/bookings"
        requeued = await client.post(f"{base}/{first}/requeue", data={"csrf_token": csrf})
        pinned = await client.post(f"{base}/{second}/pin", data={"csrf_token": csrf})
        assert requeued.status_code == pinned.status_code == 303
    assert (await api.booking(first))["assignment_state"] == "assignment_pending"
    assert (await api.booking(second))["pinned"] is True


async def test_the_rollout_page_shows_the_gate_and_the_flags(api: Api) -> None:
    """Verdict, checks, the flags of this process and one chart per series, for an admin."""
    async with _client(api) as client:
        await sign_in(client, api.keys["admin"])
        page = await client.get("/ops/rollout?since=24h")
        assert page.status_code == 200
        assert 'id="verdict"' in page.text and "INSUFFICIENT" in page.text
        assert "FEATURE_ASSIGNMENT_PIPELINE_V3</dt><dd>true" in page.text
        assert page.text.count('class="chart"') == 6
        assert (await client.get("/ops/rollout?since=3y")).status_code == 422
        assert (await client.get("/ops/rollout?restaurant=nowhere")).status_code == 404


async def test_a_restaurant_key_sees_its_own_share_of_the_rollout(api: Api) -> None:
    """Alpha's key gets alpha's evidence alone, whatever restaurant it asks for."""
    await add_terminal_events(api, "alpha", 3)
    await add_terminal_events(api, "beta", 5)
    async with _client(api) as client:
        await sign_in(client, api.keys["alpha"])
        page = await client.get("/ops/rollout?since=1h&restaurant=beta")
        assert page.status_code == 200
        assert "V3 rollout · alpha" in page.text
        assert "over 3 outcomes" in page.text and "over 5 outcomes" not in page.text
        assert 'name="restaurant"' not in page.text  # no restaurant picker for a restaurant key
