"""The ops console in a real browser (headless Chromium driven by Playwright): sign in, the
timeline of a simulated evening against the database, a review item resolved by clicking its
suggestion, the rollout charts drawn, another restaurant's pages 404, a form without its CSRF
token refused. Each page is saved as a screenshot under the session's temporary directory
(`ops-screenshots/`, path printed at the end); `docs/images/ops-*.png` are copies of them.

Skipped, in one line of the summary, when /usr/bin/chromium is missing (`.ci/run` installs it).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from e2e.api.kit import admin_sql, at, seed, send_to_review
from e2e.ops.browser import CHROMIUM, CHROMIUM_ARGS, live_server
from e2e.ops.live_evening import run_live_evening
from seatflow.store.api_keys import generate_key, insert_key
from seatflow.store.blocks import add_block
from seatflow.store.embedded import with_database
from seatflow.store.floors import load_floor
from support.evening import run_evening

if not CHROMIUM.exists():
    pytest.skip(
        "ops console browser tests skipped: no /usr/bin/chromium (apt-get install -y chromium)",
        allow_module_level=True,
    )
from playwright.async_api import Browser, Page, async_playwright  # noqa: E402


@dataclass(frozen=True, slots=True, kw_only=True)
class Console:
    base: str
    db: str
    keys: dict[str, str]
    evening: str  # a simulated V3 evening's restaurant (with bookings in review)
    day: date  # its service date
    live: str  # a simulated evening under way now (`live_evening`), on today's local date
    today: date
    shots: Path

    async def sql(self, statement: str, *params: object) -> list[dict[str, Any]]:
        async with await psycopg.AsyncConnection.connect(self.db, row_factory=dict_row) as conn:
            cursor = await conn.execute(statement, params)  # type: ignore[arg-type]
            rows = await cursor.fetchall() if cursor.description else []
            await conn.commit()
        return rows


#: The simulation writes its events within seconds; a live evening's requests (and so their
#: events) arrive over its 40 minutes, as `support.evening.recent` lays the requests out.
_SPREAD_EVENTS = """
UPDATE observability_events e SET created_at = now() - interval '50 minutes'
       + interval '40 minutes' * s.n / greatest(s.total, 1)
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n, count(*) OVER () AS total
      FROM observability_events) s
WHERE e.id = s.id
"""


@pytest.fixture(scope="module")
def database(server_url: str, template_db: str) -> Iterator[str]:
    name = f"seatflow_ops_{uuid.uuid4().hex[:12]}"
    admin_sql(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    try:
        yield with_database(server_url, name)
    finally:
        admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
async def console(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Console]:
    """Restaurants alpha and beta with keys, a V3 evening (`ev-v3`, two walk-ins turned away
    and sent to review, a table blocked) with a key of its own, and a shadow evening; the app
    serving them on a free port."""
    keys, _ = await seed(database)
    evening = await run_evening(database, "v3", walk_ins=2)
    await run_evening(database, "shadow")  # the shadow comparisons the rollout page charts
    live, today = await run_live_evening(database)
    async with await psycopg.AsyncConnection.connect(database, row_factory=dict_row) as conn:
        await conn.execute(_SPREAD_EVENTS)
        row = await (
            await conn.execute(
                "SELECT id, timezone, (SELECT min(start_at) FROM bookings b WHERE b.restaurant_id"
                " = r.id) AS first FROM restaurants r WHERE slug = %s",
                (evening.slug,),
            )
        ).fetchone()
        assert row is not None
        key = generate_key()
        await insert_key(conn, key, restaurant_id=row["id"])
        await conn.commit()
        keys[evening.slug] = key.token
        day = row["first"].astimezone(ZoneInfo(row["timezone"])).date()
        floor = await load_floor(conn, evening.slug)
        opens = datetime.combine(day, time(17), ZoneInfo(row["timezone"]))
        until = opens + timedelta(hours=2, minutes=30)
        await add_block(conn, floor, "TE1c", start=opens, until=until, reason="wobbly leg")
        await conn.commit()
    shots = tmp_path_factory.getbasetemp() / "ops-screenshots"
    shots.mkdir(exist_ok=True)
    with live_server(database) as base:
        yield Console(
            base=base,
            db=database,
            keys=keys,
            evening=evening.slug,
            day=day,
            live=live,
            today=today,
            shots=shots,
        )


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    opened = await context.new_page()
    yield opened
    await context.close()


async def _sign_in(page: Page, console: Console, who: str) -> None:
    await page.goto(f"{console.base}/ops/signin")
    await page.fill("input[name=key]", console.keys[who])
    await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "/ops/signin" not in page.url


async def test_sign_in_and_the_day_sheet_of_the_evening(page: Page, console: Console) -> None:
    """The evening's key signs in and lands on its day sheet; every booking of the day is a row,
    and the covers seated are those of the parties that came."""
    await _sign_in(page, console, console.evening)
    assert page.url.endswith(f"/ops/r/{console.evening}/day")
    await _sign_in(page, console, "admin")
    await page.goto(f"{console.base}/ops/r/{console.live}/day?date={console.today}")
    rows = await page.locator("#day-sheet tbody tr[data-booking-id]").count()
    [stored] = await console.sql(
        "SELECT count(*) AS n, coalesce(sum(party_size) FILTER (WHERE status IN"
        " ('seated', 'completed')), 0) AS seated FROM bookings b"
        " JOIN restaurants r ON r.id = b.restaurant_id WHERE r.slug = %s",
        console.live,
    )
    assert rows == stored["n"] > 0
    seated = await page.locator("[data-total=covers_seated]").inner_text()
    assert int(seated) == stored["seated"] > 0
    await page.screenshot(path=console.shots / "ops-day-sheet.png", full_page=True)


async def test_the_timeline_draws_the_evening_as_the_database_holds_it(
    page: Page, console: Console
) -> None:
    """Each booking with live tables is drawn on exactly those tables, the no-show on the tables
    it had, the overstay marked, the current time as a line; a click opens the booking."""
    await _sign_in(page, console, "admin")
    await page.goto(f"{console.base}/ops/r/{console.live}/timeline?date={console.today}")
    drawn: dict[str, set[str]] = {}
    for bar in await page.locator(".bar.booking:not(.no-show)").all():
        booking = await bar.get_attribute("data-booking-id")
        tables = await bar.get_attribute("data-tables")
        assert booking and tables
        drawn.setdefault(booking, set()).update(tables.split(","))
    stored = await console.sql(
        "SELECT a.booking_id::text AS id, array_agg(t.key) AS tables FROM allocations a"
        " JOIN tables t ON t.id = a.table_id JOIN restaurants r ON r.id = a.restaurant_id"
        " WHERE r.slug = %s AND a.released_at IS NULL GROUP BY a.booking_id",
        console.live,
    )
    assert drawn == {row["id"]: set(row["tables"]) for row in stored}
    assert len(drawn) > 10
    marked = await console.sql(
        "SELECT b.id::text AS id, b.status FROM bookings b JOIN restaurants r"
        " ON r.id = b.restaurant_id WHERE r.slug = %s AND b.status IN ('no_show', 'seated')",
        console.live,
    )
    no_shows = {row["id"] for row in marked if row["status"] == "no_show"}
    struck = page.locator(".bar.no-show")
    assert no_shows
    assert {await bar.get_attribute("data-booking-id") for bar in await struck.all()} == no_shows
    assert await page.locator(".bar.overstay").count() >= 1
    assert await page.locator(".bar.block").count() == 1
    assert await page.locator("#timeline-grid .now").count() >= 1
    target = page.locator(".bar.booking.status-seated").first
    await target.click()
    chosen = await target.get_attribute("data-booking-id")
    await page.wait_for_selector(f"#detail article[data-booking-id='{chosen}']")
    assert "assigned → confirmed" in await page.inner_text("#detail")
    await page.screenshot(path=console.shots / "ops-timeline.png", full_page=True)


async def test_a_review_item_is_resolved_by_clicking_its_suggestion(
    page: Page, console: Console
) -> None:
    """Alpha's booking in review: clicking the first suggestion confirms it on those tables."""
    booking_id = await _in_review(console, party_size=6)
    await _in_review(console, party_size=2, hours=1)
    await _sign_in(page, console, console.evening)
    await page.goto(f"{console.base}/ops/r/{console.evening}/review")
    await page.screenshot(path=console.shots / "ops-review-evening.png", full_page=True)
    await _sign_in(page, console, "alpha")
    await page.goto(f"{console.base}/ops/r/alpha/review")
    await page.screenshot(path=console.shots / "ops-review.png", full_page=True)
    item = page.locator(f"#item-{booking_id}")
    suggestion = item.locator("button.suggestion").first
    tables = await suggestion.get_attribute("data-tables")
    await suggestion.click()
    await page.wait_for_selector(f"#item-{booking_id}.resolved")
    assert f"Confirmed on {tables.replace(',', '+')}" in await page.inner_text(
        f"#item-{booking_id}"
    )  # type: ignore[union-attr]
    [row] = await console.sql(
        "SELECT status, assignment_state FROM bookings WHERE id = %s", UUID(booking_id)
    )
    assert (row["status"], row["assignment_state"]) == ("confirmed", "confirmed")
    await page.screenshot(path=console.shots / "ops-review-resolved.png", full_page=True)


async def test_the_rollout_page_draws_its_charts(page: Page, console: Console) -> None:
    """An admin sees the verdict and the charts: each a canvas with something drawn on it."""
    await _sign_in(page, console, "admin")
    await page.goto(f"{console.base}/ops/rollout?since=1h")
    await page.wait_for_selector("figure.chart canvas")
    drawn = await page.evaluate(
        """() => [...document.querySelectorAll('figure.chart canvas')].map(c => {
             const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             let ink = 0; for (let i = 3; i < px.length; i += 4) if (px[i]) ink++;
             return {w: c.width, h: c.height, ink};
           })"""
    )
    assert len(drawn) == await page.locator("figure.chart").count() == 6
    assert all(c["w"] > 0 and c["h"] > 0 and c["ink"] > 100 for c in drawn), drawn
    assert await page.locator("#verdict h2").inner_text()
    await page.screenshot(path=console.shots / "ops-rollout.png", full_page=True)


async def test_a_restaurant_key_cannot_open_another_restaurants_pages(
    page: Page, console: Console
) -> None:
    """Signed in with alpha's key, beta's day sheet and the evening's timeline are 404."""
    await _sign_in(page, console, "alpha")
    for path in ("/ops/r/beta/day", f"/ops/r/{console.evening}/timeline"):
        response = await page.goto(f"{console.base}{path}")
        assert response is not None and response.status == 404, path
        assert "No restaurant" in await page.inner_text("h1")


async def test_a_form_posted_without_its_csrf_token_is_refused(
    page: Page, console: Console
) -> None:
    """The signed-in browser's own cookie is not enough: without the token, 403, nothing done."""
    booking_id = await _in_review(console, party_size=2)
    await _sign_in(page, console, "alpha")
    url = f"{console.base}/ops/r/alpha/bookings/{booking_id}/requeue"
    refused = await page.request.post(url, form={"back": "review"}, max_redirects=0)
    assert refused.status == 403
    [row] = await console.sql(
        "SELECT assignment_state FROM bookings WHERE id = %s", UUID(booking_id)
    )
    assert row["assignment_state"] == "manual_review"


async def _in_review(console: Console, *, party_size: int, hours: int = 0) -> str:
    """A booking of alpha made through the HTTP API, then sent to review as a pipeline would."""
    async with httpx.AsyncClient(base_url=console.base) as client:
        made = await client.post(
            "/v1/restaurants/alpha/bookings",
            json={"party_size": party_size, "start_at": at(hours=hours)},
            headers={"Authorization": f"Bearer {console.keys['alpha']}"},
        )
    assert made.status_code == 201, made.text
    booking_id: str = made.json()["id"]
    await send_to_review(console.db, booking_id)
    return booking_id
