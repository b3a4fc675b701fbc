"""Webhooks through real processes: `seatflow serve` and `seatflow worker` deliver a booking
made over HTTP to a receiver on 127.0.0.1, signed; a worker killed with SIGKILL mid-delivery
loses nothing — the next worker delivers the same event (same id) once its lease runs out."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import httpx

from e2e.api.kit import at, seed
from e2e.api.test_cli import _free_port, _wait_ready
from e2e.jobs.kit import bookings_with_jobs, fetch, wait_for
from seatflow.domain.webhooks import EVENT_TYPES
from support.processes import Spawn
from support.receiver import documented_verify, receiving

#: The relay in each spawned process: local receivers allowed, a quick poll, a short timeout
#: (so a dead worker's lease — timeout + 5 s — runs out soon).
RELAY = {
    "SEATFLOW_WEBHOOK_ALLOW_PRIVATE": "true",
    "SEATFLOW_WEBHOOK_POLL_SECONDS": "0.1",
    "SEATFLOW_WEBHOOK_TIMEOUT_SECONDS": "3",
}


async def test_serve_and_worker_send_a_signed_booking_confirmed(
    db_url: str, spawn_seatflow: Spawn
) -> None:
    """An endpoint registered over HTTP for alpha gets, within seconds of a booking made over
    HTTP, a `booking.confirmed` POST whose signature the documented snippet verifies."""
    keys, _ = await seed(db_url)
    port = _free_port()
    server = spawn_seatflow("serve", "--port", str(port), **RELAY)
    spawn_seatflow("worker", **RELAY)
    alpha = {"Authorization": f"Bearer {keys['alpha']}"}
    with receiving() as receiver:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            await _wait_ready(client, server)
            endpoint = await client.post(
                "/v1/restaurants/alpha/webhooks", json={"url": receiver.url}, headers=alpha
            )
            assert endpoint.status_code == 201, endpoint.text
            booking = await client.post(
                "/v1/restaurants/alpha/bookings",
                json={"party_size": 2, "start_at": at()},
                headers=alpha,
            )
            assert booking.status_code == 201, booking.text
            posts = await asyncio.to_thread(receiver.wait_for, 1, 20)
    (post,) = [p for p in posts if p.event["type"] == "booking.confirmed"]
    assert post.event["data"]["booking_id"] == booking.json()["id"]
    assert documented_verify()(
        endpoint.json()["secret"], post.headers["Seatflow-Signature"], post.body
    )


def _endpoint(db_url: str, url: str) -> None:
    fetch(
        db_url,
        "INSERT INTO webhook_endpoints (restaurant_id, url, event_types, secret) "
        "SELECT id, %s, %s, %s FROM restaurants RETURNING id",
        url,
        list(EVENT_TYPES),
        "whsec_" + "s" * 43,
    )


async def test_a_worker_killed_mid_delivery_loses_no_event(
    db_url: str, spawn_seatflow: Spawn
) -> None:
    """SIGKILL while the receiver holds the POST: after the lease runs out, a new worker sends
    the event again with the same id, and the delivery ends `delivered`."""
    with receiving(hang=True) as receiver:
        (booking_id,) = await bookings_with_jobs(db_url, [4])
        _endpoint(db_url, receiver.url)
        first = spawn_seatflow("worker", **RELAY)
        await asyncio.to_thread(receiver.wait_for, 1, 30)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        receiver.hang = False
        receiver.release.set()
        pending = fetch(db_url, "SELECT status, attempts FROM webhook_deliveries")
        assert pending == [{"status": "pending", "attempts": 1}]
        spawn_seatflow("worker", **RELAY)
        posts = await asyncio.to_thread(receiver.wait_for, 2, 40)
        wait_for(lambda: _statuses(db_url) == ["delivered"], "the delivery to be recorded")
    assert posts[0].event["id"] == posts[1].event["id"]
    assert posts[0].body == posts[1].body
    assert posts[0].event["data"]["booking_id"] == str(booking_id)


def _statuses(db_url: str) -> list[Any]:
    return [row["status"] for row in fetch(db_url, "SELECT status FROM webhook_deliveries")]
