"""Webhooks end to end in one process: endpoints over HTTP, bookings over HTTP, the relay sending
to real receivers on 127.0.0.1 — signatures checked with the snippet of docs/webhooks.md."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from e2e.api.kit import Api, at, serving
from seatflow.domain.webhooks import RetrySchedule
from seatflow.pipeline.clock import SystemClock
from seatflow.pipeline.webhook_relay import RelayConfig, WebhookRelay
from seatflow.store.database import open_pool
from seatflow.store.events import EventSink, MemoryEventSink
from support.receiver import documented_verify, receiving

FAST = RetrySchedule(
    base=timedelta(seconds=0.05), cap=timedelta(seconds=0.2), window=timedelta(seconds=30)
)


@asynccontextmanager
async def relay(
    url: str, sink: EventSink | None = None, **changes: Any
) -> AsyncIterator[WebhookRelay]:
    """A relay on the test's database, allowed to call 127.0.0.1, with a fast retry schedule."""
    values: dict[str, Any] = {"timeout": 2.0, "schedule": FAST, "poll": 0.05, **changes}
    config = RelayConfig(allow_private=True, **values)
    sink = sink or MemoryEventSink()
    async with open_pool(url, max_size=4) as pool:
        running = WebhookRelay(pool, sink, SystemClock(), config, rng=random.Random(1))
        try:
            yield running
        finally:
            await running.aclose()


async def relay_until(running: WebhookRelay, done: Any, timeout: float = 20) -> None:
    """Rounds (and their deliveries) until `done()` holds."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the relay did not get there in time"
        await running.tick()
        await running.drain()
        await asyncio.sleep(0.05)


async def register(api: Api, url: str, who: str = "alpha", **extra: Any) -> dict[str, Any]:
    slug = "alpha" if who == "admin" else who
    response = await api.client.post(
        f"/v1/restaurants/{slug}/webhooks", json={"url": url, **extra}, headers=api.auth(who)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _allowing(url: str) -> Any:
    return serving(url, SEATFLOW_WEBHOOK_ALLOW_PRIVATE=True)


async def test_confirmed_booking_reaches_the_receiver_signed(db_url: str) -> None:
    """A booking made over HTTP reaches the receiver as `booking.confirmed`, its signature valid
    by the documented snippet, with tables and slug and no guest details."""
    verify = documented_verify()
    with receiving() as receiver:
        async with _allowing(db_url) as api, relay(db_url) as running:
            endpoint = await register(api, receiver.url, event_types=["booking.confirmed"])
            assert endpoint["secret"].startswith("whsec_")
            guest = {"name": "Ada Lovelace", "phone": "+44 20 7946 0000", "email": "ada@x.test"}
            booking = (await api.book(2, wait_ms=2000, guest=guest)).json()
            assert booking["status"] == "confirmed"
            await relay_until(running, lambda: receiver.received)
    (post,) = receiver.received
    event = post.event
    assert event["type"] == "booking.confirmed" and post.headers["Seatflow-Event-Id"] == event["id"]
    assert event["data"]["booking_id"] == booking["id"]
    assert event["data"]["restaurant"] == "alpha" and event["data"]["status"] == "confirmed"
    assert event["data"]["tables"] == booking["tables"]
    assert event["data"]["trigger"] == "creation"
    assert verify(endpoint["secret"], post.headers["Seatflow-Signature"], post.body)
    assert not verify("whsec_" + "x" * 43, post.headers["Seatflow-Signature"], post.body)
    assert not verify(endpoint["secret"], post.headers["Seatflow-Signature"], post.body + b" ")
    for detail in ("Ada", "7946", "ada@x.test"):
        assert detail.encode() not in post.body


async def test_a_receiver_failing_three_times_gets_it_on_the_fourth(db_url: str) -> None:
    """500, 500, 500, then 200: four POSTs of the same event id; the log says delivered after
    four attempts with the last status and a latency."""
    with receiving(fail=3) as receiver:
        async with _allowing(db_url) as api, relay(db_url) as running:
            endpoint = await register(api, receiver.url)
            await api.book(2, wait_ms=2000)
            log_url = f"/v1/restaurants/alpha/webhooks/{endpoint['id']}/deliveries"

            async def delivered() -> list[dict[str, Any]]:
                rows: list[dict[str, Any]] = (
                    await api.client.get(log_url, headers=api.auth("alpha"))
                ).json()
                return rows

            await relay_until(running, lambda: len(receiver.received) >= 4)
            (row,) = await delivered()
    ids = {post.event["id"] for post in receiver.received}
    assert len(receiver.received) == 4 and len(ids) == 1
    assert row["status"] == "delivered" and row["attempts"] == 4
    assert row["last_status_code"] == 200 and row["latency_ms"] is not None
    assert row["event_id"] in ids and row["next_attempt_at"] is None


async def test_a_silent_receiver_slows_neither_assignment_nor_other_restaurants(
    db_url: str,
) -> None:
    """alpha's receiver never answers: alpha's bookings are still confirmed at once, and beta's
    receiver gets its event while alpha's POST hangs."""
    with receiving(hang=True) as silent, receiving() as other:
        async with _allowing(db_url) as api, relay(db_url, timeout=10.0) as running:
            await register(api, silent.url)
            await register(api, other.url, who="beta")
            stop = asyncio.Event()
            loop = asyncio.create_task(running.run(stop))
            first = (await api.book(2, wait_ms=2000)).json()
            await asyncio.to_thread(silent.wait_for, 1, 10)
            started = time.monotonic()
            second = (await api.book(2, wait_ms=2000, start_at=at(hours=3))).json()
            beta = (await api.book(2, wait_ms=2000, who="beta", slug="beta")).json()
            await asyncio.to_thread(other.wait_for, 1, 5)
            elapsed = time.monotonic() - started
            stop.set()
            silent.release.set()
            await loop
    assert (first["status"], second["status"], beta["status"]) == ("confirmed",) * 3
    assert other.received[0].event["data"]["booking_id"] == beta["id"]
    assert elapsed < 8, f"beta's event waited {elapsed:.1f} s behind alpha's silent receiver"


async def test_given_up_delivery_marks_the_endpoint_failing(db_url: str) -> None:
    """A receiver that always fails: once the window is over the delivery is `failed`, the
    endpoint `failing`, and a `webhook.endpoint_failing` event is recorded."""
    short = RetrySchedule(
        base=timedelta(seconds=0.05), cap=timedelta(seconds=0.1), window=timedelta(seconds=0.5)
    )
    sink = MemoryEventSink()
    with receiving(fail=1000) as receiver:
        async with _allowing(db_url) as api, relay(db_url, sink, schedule=short) as running:
            endpoint = await register(api, receiver.url)
            await api.book(2, wait_ms=2000)
            failed = "SELECT 1 FROM webhook_deliveries WHERE status = 'failed'"
            deadline = time.monotonic() + 20
            while not await api.sql(failed):
                assert time.monotonic() < deadline
                await running.tick()
                await running.drain()
                await asyncio.sleep(0.05)
            shown = (
                await api.client.get(
                    f"/v1/restaurants/alpha/webhooks/{endpoint['id']}", headers=api.auth("alpha")
                )
            ).json()
    assert shown["failing"] is True and shown["failing_since"] is not None
    assert "secret" not in shown
    assert len(receiver.received) >= 2
    (told,) = sink.of_type("webhook.endpoint_failing")
    assert told.severity == "warning" and told.context["endpoint_id"] == endpoint["id"]


async def test_replay_sends_the_same_event_again(db_url: str) -> None:
    """Replaying a delivered event by id sends it again, with the same id and body."""
    with receiving() as receiver:
        async with _allowing(db_url) as api, relay(db_url) as running:
            endpoint = await register(api, receiver.url)
            await api.book(2, wait_ms=2000)
            await relay_until(running, lambda: receiver.received)
            first = receiver.received[0]
            replay = await api.client.post(
                f"/v1/restaurants/alpha/webhooks/{endpoint['id']}/replay",
                json={"event_id": first.event["id"]},
                headers=api.auth("alpha"),
            )
            assert replay.json() == {"requeued": 1}
            await relay_until(running, lambda: len(receiver.received) >= 2)
            ranged = await api.client.post(
                f"/v1/restaurants/alpha/webhooks/{endpoint['id']}/replay",
                json={"since": "2000-01-01T00:00:00Z"},
                headers=api.auth("alpha"),
            )
    assert receiver.received[1].body == first.body
    assert ranged.json() == {"requeued": 1}
