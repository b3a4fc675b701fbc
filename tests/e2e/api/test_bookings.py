"""Bookings over HTTP on a real database: create, wait for the assignment, no availability with
alternatives, modify, cancel — and guest details that never reach events or logs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import psycopg
import pytest

from e2e.api.kit import START, Api, at


async def test_create_returns_201_pending_with_history(api: Api) -> None:
    """A booking that fits is created pending, walked to assignment_pending, and readable."""
    response = await api.book(2, zone_preference="terrace")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending"
    assert body["assignment_state"] == "assignment_pending"
    assert (body["party_size"], body["tables"], body["zone_preference"]) == (2, [], "terrace")
    assert body["start_at"].startswith(START.strftime("%Y-%m-%dT%H:%M"))
    assert [h["to_state"] for h in body["history"]] == ["capacity_verified", "assignment_pending"]
    assert body["history"][0]["actor"].startswith("api:")
    assert body["assignment"] is None
    assert await api.booking(body["id"]) == body


async def test_the_booking_and_its_job_commit_together(api: Api) -> None:
    """Created → exactly one waiting `auto_assign` job (trigger creation) locked on the booking;
    refused with 409 → no booking and no job."""
    body = (await api.book(2)).json()
    jobs = await api.sql(
        "SELECT task_name, status, lock, queueing_lock, args FROM procrastinate_jobs"
    )
    assert [(j["task_name"], j["status"], j["args"]["trigger"]) for j in jobs] == [
        ("seatflow.auto_assign", "todo", "creation")
    ]
    assert jobs[0]["lock"] == jobs[0]["queueing_lock"] == f"booking:{body['id']}"
    assert (await api.book(99)).status_code == 422  # no combination seats 99: validation
    for _ in range(4):  # fill every table at START, then one more that cannot fit
        await api.book(2, wait_ms=2000)
    assert (await api.book(8)).status_code == 409
    assert await api.count("procrastinate_jobs") == await api.count("bookings")


async def test_end_at_comes_from_the_turn_times(api: Api) -> None:
    """end_at is start + the party's turn + the buffer (90 + 15 for two, 120 + 15 for four)."""
    for party, minutes in ((2, 105), (4, 135)):
        body = (await api.book(party)).json()
        assert body["end_at"] == body["start_at"].replace(
            START.strftime("%H:%M"), (START + timedelta(minutes=minutes)).strftime("%H:%M")
        )


async def test_wait_ms_returns_the_confirmed_booking_with_tables(api: Api) -> None:
    """With ?wait_ms=2000 the V3 assignment runs inline and the booking comes back confirmed."""
    response = await api.book(2, wait_ms=2000)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["assignment_state"] == "confirmed"
    assert body["tables"] == ["A"]
    assert body["assignment"] == {"pipeline": "v3", "outcome": "confirmed", "reason": None}
    assert body["assignment_strategy"]
    assert (await api.booking(body["id"]))["tables"] == ["A"]


async def test_a_missed_deadline_returns_pending_and_the_run_still_finishes(api: Api) -> None:
    """Past wait_ms the booking comes back pending; the run is not cut off mid-transaction but
    finishes in the background, with exactly one terminal event."""
    async with await psycopg.AsyncConnection.connect(api.url) as blocker:
        await blocker.execute("SELECT id FROM tables FOR UPDATE")  # the hold will wait on this
        response = await api.book(2, wait_ms=300)
        body = response.json()
        assert (response.status_code, body["status"], body["assignment"]) == (201, "pending", None)
        await blocker.rollback()
    await asyncio.wait_for(asyncio.gather(*api.state.background), timeout=10)
    assert (await api.booking(body["id"]))["tables"] == ["A"]
    await api.flush_events()
    terminals = await api.sql(
        "SELECT event_type FROM observability_events WHERE booking_id = %s "
        "AND event_type IN ('coordinator.confirmed', 'coordinator.retry', "
        "'coordinator.manual_review', 'coordinator.noop', 'coordinator.error')",
        body["id"],
    )
    assert terminals == [{"event_type": "coordinator.confirmed"}]


async def test_wait_ms_zero_leaves_it_to_the_queue(api: Api) -> None:
    """?wait_ms=0 does not run anything inline: the booking stays pending for the queue."""
    body = (await api.book(2, wait_ms=0)).json()
    assert (body["status"], body["assignment"]) == ("pending", None)


async def _fill(api: Api, *, terrace: bool = True) -> tuple[str, str]:
    """Seat eight on B+C and two on A at START (and two on T), so the room is full then."""
    eight = (await api.book(8, wait_ms=2000)).json()
    two = (await api.book(2, wait_ms=2000)).json()
    assert eight["tables"] == ["B", "C"] and two["tables"] == ["A"], (eight, two)
    if terrace:
        outside = (await api.book(2, wait_ms=2000)).json()
        assert outside["tables"] == ["T"], outside
    return eight["id"], two["id"]


async def test_no_availability_is_409_with_alternatives_and_creates_nothing(api: Api) -> None:
    """A full room answers 409 no_availability with the three nearest times that fit."""
    await _fill(api)
    before = (await api.count("bookings"), await api.count("booking_assignment_state_history"))
    response = await api.book(2, zone_preference="main")
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "no_availability" and body["field"] == "start_at"
    # A and T are taken 19:00–20:45; two fit ending by 19:00 or starting from 20:45.
    assert body["alternatives"] == [at(minutes=-105), at(minutes=105), at(minutes=-120)]
    after = (await api.count("bookings"), await api.count("booking_assignment_state_history"))
    assert after == before


async def test_terrace_still_seats_two_when_main_is_full(api: Api) -> None:
    """A zone preference is a wish: two are still seated (on the terrace) when main is full."""
    await _fill(api, terrace=False)
    body = (await api.book(2, zone_preference="main", wait_ms=2000)).json()
    assert body["tables"] == ["T"]


async def test_cancel_frees_the_tables(api: Api) -> None:
    """Cancelling releases the tables at once: another party of eight gets B+C at that time."""
    eight, _ = await _fill(api)
    path = f"/v1/restaurants/alpha/bookings/{eight}/cancel"
    response = await api.client.post(path, headers=api.auth("alpha"))
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert (cancelled["status"], cancelled["tables"]) == ("cancelled", [])
    assert cancelled["assignment_state"] == "cancelled"
    assert cancelled["history"][-1]["reason"] == "cancelled"
    again = await api.client.post(path, headers=api.auth("alpha"))
    assert again.status_code == 200 and again.json() == cancelled
    replacement = (await api.book(8, wait_ms=2000)).json()
    assert (replacement["status"], replacement["tables"]) == ("confirmed", ["B", "C"])


async def test_cancel_releases_unconfirmed_holds(api: Api) -> None:
    """A cancelled booking keeps no hold on any table."""
    booking = (await api.book(2)).json()["id"]
    await api.sql(
        "INSERT INTO table_holds (restaurant_id, booking_id, during, expires_at) "
        "VALUES (%s, %s, tstzrange(now() + interval '1 day', now() + interval '2 days'), "
        "now() + interval '5 minutes')",
        api.restaurants["alpha"],
        booking,
    )
    await api.client.post(
        f"/v1/restaurants/alpha/bookings/{booking}/cancel", headers=api.auth("alpha")
    )
    assert await api.sql("SELECT id FROM table_holds WHERE booking_id = %s", booking) == []


async def test_a_cancellation_is_not_recorded_as_a_failure(api: Api) -> None:
    """A confirmed booking, cancelled: state `cancelled`, and its one transition there an info
    event with the reason — not a single warning or error event for the booking, nor a row the
    review or stuck-state queries count."""
    booking = (await api.book(2, wait_ms=2000)).json()["id"]
    path = f"/v1/restaurants/alpha/bookings/{booking}/cancel"
    assert (await api.client.post(path, headers=api.auth("alpha"))).status_code == 200
    await api.flush_events()
    transitions = await api.sql(
        "SELECT severity, context FROM observability_events "
        "WHERE booking_id = %s AND context->>'to_state' = 'cancelled'",
        booking,
    )
    assert [(t["severity"], t["context"]["reason"]) for t in transitions] == [("info", "cancelled")]
    assert transitions[0]["context"]["actor"].startswith("api:")
    loud = await api.sql(
        "SELECT event_type FROM observability_events WHERE booking_id = %s AND severity <> 'info'",
        booking,
    )
    assert loud == []
    waiting = await api.sql(
        "SELECT id FROM bookings WHERE assignment_state IN ('failed', 'manual_review', "
        "'assignment_in_progress', 'assigned', 'assignment_pending')"
    )
    assert waiting == []


async def test_modify_releases_tables_and_goes_back_to_pending(api: Api) -> None:
    """PATCH re-checks, stores the new party and window, frees the tables and re-queues."""
    booking = (await api.book(2, wait_ms=2000)).json()
    path = f"/v1/restaurants/alpha/bookings/{booking['id']}"
    response = await api.client.patch(path, json={"party_size": 4}, headers=api.auth("alpha"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["party_size"], body["status"], body["tables"]) == (4, "pending", [])
    assert body["assignment_state"] == "assignment_pending"
    assert body["end_at"] != booking["end_at"]
    assert body["history"][-1]["reason"] == "modified"
    later = await api.client.patch(
        f"{path}?wait_ms=2000", json={"start_at": at(minutes=30)}, headers=api.auth("alpha")
    )
    moved = later.json()
    assert moved["status"] == "confirmed" and moved["start_at"] != body["start_at"]
    assert len(moved["tables"]) == 1 and moved["assignment"]["outcome"] == "confirmed"


async def test_modify_counts_its_own_tables_as_free(api: Api) -> None:
    """Moving a booking fifteen minutes in a full room fits: its own tables are not in the way."""
    eight, _ = await _fill(api)
    response = await api.client.patch(
        f"/v1/restaurants/alpha/bookings/{eight}?wait_ms=2000",
        json={"start_at": at(minutes=15)},
        headers=api.auth("alpha"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["tables"] == ["B", "C"]


async def test_modify_into_a_full_slot_is_409_and_changes_nothing(api: Api) -> None:
    """A PATCH the floor cannot seat leaves the booking exactly as it was."""
    await _fill(api)
    early = (await api.book(2, at(hours=-3), wait_ms=2000)).json()
    response = await api.client.patch(
        f"/v1/restaurants/alpha/bookings/{early['id']}",
        json={"start_at": at(), "party_size": 8},
        headers=api.auth("alpha"),
    )
    assert response.status_code == 409 and response.json()["error"] == "no_availability"
    assert await api.booking(early["id"]) == {**early, "assignment": None}


async def test_a_cancelled_booking_cannot_be_modified(api: Api) -> None:
    """PATCH on a cancelled booking is 409 booking_closed."""
    booking = (await api.book(2)).json()["id"]
    path = f"/v1/restaurants/alpha/bookings/{booking}"
    await api.client.post(f"{path}/cancel", headers=api.auth("alpha"))
    response = await api.client.patch(path, json={"party_size": 3}, headers=api.auth("alpha"))
    assert response.status_code == 409
    assert response.json()["error"] == "booking_closed"


async def test_availability_lists_the_free_starts_of_the_day(api: Api) -> None:
    """The day grid runs 11:00–22:45 in 15-minute steps and leaves out times that cannot fit."""
    path = f"/v1/restaurants/alpha/availability?party_size=8&date={START.date()}"
    empty = (await api.client.get(path, headers=api.auth("alpha"))).json()
    assert len(empty["times"]) == 48
    assert empty["times"][0].endswith("11:00:00Z") and empty["times"][-1].endswith("22:45:00Z")
    await _fill(api)
    full = (await api.client.get(path, headers=api.auth("alpha"))).json()
    taken = {datetime.fromisoformat(t) for t in empty["times"]} - {
        datetime.fromisoformat(t) for t in full["times"]
    }
    # Eight need B+C for 2 h 15 and B+C is taken 19:00–21:15: a start after 16:45 (which ends
    # at 19:00 sharp) and before 21:15 overlaps it.
    assert taken == {START + timedelta(minutes=15 * k) for k in range(-8, 9)}


@pytest.mark.parametrize("wait_ms", [None, 2000])
async def test_guest_details_never_reach_events_or_logs(
    api: Api, capsys: pytest.CaptureFixture[str], wait_ms: int | None
) -> None:
    """Name, phone and email are stored with the booking and appear in no event, outbox row,
    history row or log line."""
    guest = {"name": "Zelda Quux", "phone": "+44 7700 900123", "email": "zelda@example.test"}
    response = await api.book(2, guest=guest, wait_ms=wait_ms)
    assert response.status_code == 201
    await api.flush_events()
    stored = await api.sql("SELECT guest_name, guest_phone, guest_email FROM bookings")
    assert list(stored[0].values()) == list(guest.values())
    texts = [
        str(await api.sql(f"SELECT * FROM {table}"))
        for table in ("observability_events", "outbox", "booking_assignment_state_history")
    ]
    captured = capsys.readouterr()
    for secret in guest.values():
        for text in (*texts, captured.out, captured.err, response.text):
            assert secret not in text
