"""`Idempotency-Key` on booking creates: one booking per key and body, however often it is sent,
concurrently or after an answer that never arrived; another body is refused; keys are per
restaurant and expire."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone
from typing import Any

import httpx
import psycopg
import pytest

from e2e.api.kit import START, Api, at
from seatflow.api import bookings
from seatflow.jobs.maintenance import sweep_idempotency_keys

BOOKINGS = "/v1/restaurants/{slug}/bookings"
KEY = "3f1c6a2e-booking-attempt-1"


async def keyed(
    api: Api,
    key: str = KEY,
    *,
    slug: str = "alpha",
    wait_ms: int | None = None,
    **body: Any,
) -> httpx.Response:
    """POST a booking (two at START unless told otherwise) with an Idempotency-Key."""
    query = "" if wait_ms is None else f"?wait_ms={wait_ms}"
    payload = {"party_size": 2, "start_at": at(), **body}
    headers = {**api.auth(slug), "Idempotency-Key": key}
    return await api.client.post(BOOKINGS.format(slug=slug) + query, json=payload, headers=headers)


async def jobs_of(api: Api, booking_id: str) -> int:
    rows = await api.sql(
        "SELECT count(*) AS n FROM procrastinate_jobs WHERE args->>'booking_id' = %s", booking_id
    )
    return int(rows[0]["n"])


async def test_the_same_key_and_body_return_the_first_booking(api: Api) -> None:
    """A repeat returns 201 with the same booking, marked replayed; no second booking or job."""
    first = await keyed(api, guest={"name": "Ada", "phone": "+44 20 7946 0000"})
    again = await keyed(api, guest={"name": "Ada", "phone": "+44 20 7946 0000"})
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert first.headers["Idempotent-Replayed"] == "false"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert await api.count("bookings") == 1
    assert await jobs_of(api, first.json()["id"]) == 1


async def test_a_replay_shows_the_booking_as_it_stands_now(api: Api) -> None:
    """After the booking was confirmed, the replay shows it confirmed with its tables."""
    first = (await keyed(api)).json()
    await api.client.post(
        f"/v1/restaurants/alpha/bookings/{first['id']}/requeue?wait_ms=3000",
        headers=api.auth("alpha"),
    )
    again = await keyed(api)
    assert (again.json()["id"], again.json()["status"]) == (first["id"], "confirmed")
    assert again.json()["tables"] == ["A"]


async def test_concurrent_requests_with_one_key_make_one_booking_and_one_job(api: Api) -> None:
    """Four parallel creates with one key: one booking, one job, all four answer it."""
    answers = await asyncio.gather(*(keyed(api) for _ in range(4)))
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    ids = {a.json()["id"] for a in answers}
    assert len(ids) == 1
    assert sorted(a.headers["Idempotent-Replayed"] for a in answers) == [
        "false",
        "true",
        "true",
        "true",
    ]
    assert await api.count("bookings") == 1
    assert await api.count("procrastinate_jobs") == 1
    assert await jobs_of(api, ids.pop()) == 1
    assert await api.count("booking_assignment_state_history") == 2  # one walk to pending


async def test_a_lost_answer_is_recovered_by_retrying_with_the_key(api: Api) -> None:
    """The client gives up after the commit, before any answer (its request is cancelled while
    the inline assignment waits on a lock); the retry returns that booking, and nothing more."""
    async with await psycopg.AsyncConnection.connect(api.url) as blocker:
        await blocker.execute("SELECT id FROM tables FOR UPDATE")  # the inline run waits here
        lost = asyncio.create_task(keyed(api, wait_ms=5000))
        while not await api.sql("SELECT 1 FROM idempotency_keys"):  # committed, not answered
            assert not lost.done(), lost.result().text
            await asyncio.sleep(0.02)
        lost.cancel()
        await asyncio.gather(lost, return_exceptions=True)
        assert lost.cancelled()
        retry = await keyed(api)
        await blocker.rollback()
    assert (retry.status_code, retry.headers["Idempotent-Replayed"]) == (201, "true")
    (row,) = await api.sql("SELECT id FROM bookings")
    assert retry.json()["id"] == str(row["id"])
    assert await jobs_of(api, retry.json()["id"]) == 1
    await asyncio.wait_for(asyncio.gather(*api.state.background), timeout=10)


async def test_a_failure_after_the_commit_is_recovered_by_retrying_with_the_key(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer fails after the booking committed (the read-back raises); the retry returns
    that booking and no second one."""

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the process died after the commit")

    with monkeypatch.context() as patched:
        patched.setattr(bookings, "reloaded_view", broken)
        with pytest.raises(RuntimeError):  # the in-process transport re-raises the app's error
            await keyed(api)
    assert await api.count("bookings") == 1
    retry = await keyed(api)
    assert (retry.status_code, retry.headers["Idempotent-Replayed"]) == (201, "true")
    (row,) = await api.sql("SELECT id FROM bookings")
    assert retry.json()["id"] == str(row["id"])
    assert await api.count("procrastinate_jobs") == 1


async def test_the_same_key_with_another_body_is_refused(api: Api) -> None:
    """Another party size, time, zone or guest under a used key is 422, and writes nothing."""
    ada = {"name": "Ada"}
    assert (await keyed(api, guest=ada)).status_code == 201
    for body in (
        {"party_size": 3, "guest": ada},
        {"start_at": at(minutes=15), "guest": ada},
        {"zone_preference": "terrace", "guest": ada},
        {"guest": {"name": "Grace"}},
        {},  # the guest left out
    ):
        response = await keyed(api, **body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"] == "idempotency_key_reused"
        assert response.json()["field"] == "Idempotency-Key"
    assert await api.count("bookings") == 1


async def test_the_same_request_spelt_differently_is_the_same_body(api: Api) -> None:
    """The start in another UTC offset, and an empty guest for none, match the first body."""
    first = await keyed(api, start_at=START.isoformat(), guest={})
    local = START.astimezone(timezone(timedelta(hours=2)))
    again = await keyed(api, start_at=local.isoformat(), guest={"name": None})
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]


async def test_keys_are_scoped_to_the_restaurant(api: Api) -> None:
    """The same key at another restaurant makes that restaurant its own booking."""
    alpha = await keyed(api, slug="alpha")
    beta = await keyed(api, slug="beta")
    assert beta.status_code == 201 and beta.headers["Idempotent-Replayed"] == "false"
    assert beta.json()["id"] != alpha.json()["id"]
    assert beta.json()["restaurant"] == "beta"
    assert await api.count("idempotency_keys") == 2


async def test_an_expired_key_counts_as_absent_and_is_swept(api: Api) -> None:
    """Past the retention the key makes a new booking (and may carry another body); the sweep
    deletes only keys past the retention."""
    old = (await keyed(api)).json()
    await api.sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
    new = await keyed(api, party_size=3)
    assert (new.status_code, new.headers["Idempotent-Replayed"]) == (201, "false")
    assert new.json()["id"] != old["id"]
    assert await api.count("bookings") == 2
    (row,) = await api.sql("SELECT booking_id FROM idempotency_keys")
    assert str(row["booking_id"]) == new.json()["id"]
    await keyed(api, "another-key")
    await api.sql(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = %s", KEY
    )
    assert await sweep_idempotency_keys(api.state.pool, timedelta(hours=24), batch=1) == 1
    assert [r["key"] for r in await api.sql("SELECT key FROM idempotency_keys")] == ["another-key"]


async def test_a_refused_create_records_no_key(api: Api) -> None:
    """A keyed create the floor cannot seat is the plain 409, and the key stays unused."""
    response = await keyed(api, party_size=8, wait_ms=2000)
    assert response.status_code == 201
    refused = await keyed(api, "second", party_size=8)
    assert refused.status_code == 409 and refused.json()["error"] == "no_availability"
    assert await api.count("idempotency_keys") == 1


async def test_bad_keys_are_422_naming_the_header(api: Api) -> None:
    """An empty or over-long key is refused before anything is written."""
    for key in ("", "k" * 256, "tab\tinside"):
        response = await keyed(api, key)
        assert response.status_code == 422, (key, response.text)
        assert response.json()["field"] == "Idempotency-Key"
    assert await api.count("bookings") == 0


async def test_openapi_documents_the_key_and_the_replay_header(api: Api) -> None:
    """The create route documents the Idempotency-Key header and the Idempotent-Replayed one."""
    schema = (await api.client.get("/openapi.json")).json()
    post = schema["paths"]["/v1/restaurants/{slug}/bookings"]["post"]
    (header,) = [p for p in post["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and not header["required"]
    assert "idempotency_key_reused" in header["description"]
    assert "Idempotent-Replayed" in post["responses"]["201"]["headers"]
