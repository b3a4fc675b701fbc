"""The manual-review queue over HTTP: listing, seating by hand under the seating rules (409 when
the tables are taken, nothing half-written) and requeueing."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.api.kit import Api, at, send_to_review


async def _in_review(api: Api, party_size: int, start_at: str | None = None) -> str:
    """A booking created through the API, then sent to manual review as a pipeline would."""
    booking_id: str = (await api.book(party_size, start_at)).json()["id"]
    await send_to_review(api.url, booking_id)
    return booking_id


async def _assign(api: Api, booking_id: str, tables: list[Any], who: str = "alpha") -> Any:
    return await api.client.post(
        f"/v1/restaurants/alpha/bookings/{booking_id}/assign",
        json={"tables": tables},
        headers=api.auth(who),
    )


async def test_review_lists_bookings_with_their_reason(api: Api) -> None:
    """GET /review shows the restaurant's bookings in manual review and why, nothing else."""
    waiting = await _in_review(api, 6)
    await api.book(2)  # pending, not in review
    response = await api.client.get("/v1/restaurants/alpha/review", headers=api.auth("alpha"))
    assert response.status_code == 200
    listed = response.json()["bookings"]
    assert [(b["id"], b["review_reason"], b["party_size"]) for b in listed] == [
        (waiting, "no_capacity", 6)
    ]
    beta = await api.client.get("/v1/restaurants/beta/review", headers=api.auth("beta"))
    assert beta.json()["bookings"] == []


@pytest.mark.parametrize(
    ("tables", "field"),
    [
        (["A"], "tables"),  # two seats for six
        (["A", "B"], "tables"),  # not adjacent
        (["B", "T"], "tables"),  # two zones, and T is not combinable
        (["Z"], "tables[0]"),  # no such table
        (["B", "B"], "tables[1]"),  # the same table twice
        ([], "tables"),
        ([1], "tables[0]"),
        (["A", "B", "C"], "tables"),  # more tables than the venue joins
    ],
)
async def test_assign_validates_tables_by_the_seating_rules(
    module_api: Api, tables: list[Any], field: str
) -> None:
    """Tables that are not one valid seating for the party are 422, and the booking stays put."""
    booking_id = await _in_review(module_api, 6)
    before = await module_api.booking(booking_id)
    response = await _assign(module_api, booking_id, tables)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert await module_api.booking(booking_id) == before


async def test_assign_seats_the_booking_and_records_it(api: Api) -> None:
    """Valid tables are held and confirmed in one go; history and attempt say it was manual."""
    booking_id = await _in_review(api, 6)
    response = await _assign(api, booking_id, ["C", "B"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["assignment_state"], body["tables"]) == (
        "confirmed",
        "confirmed",
        ["B", "C"],
    )
    assert body["assignment_strategy"] == "manual"
    assert [h["to_state"] for h in body["history"][-4:]] == [
        "assignment_pending",
        "assignment_in_progress",
        "assigned",
        "confirmed",
    ]
    assert body["history"][-1]["actor"].startswith("api:")
    attempts = await api.sql(
        "SELECT pipeline, outcome, tables FROM booking_assignment_attempts WHERE booking_id = %s",
        booking_id,
    )
    assert attempts == [{"pipeline": "manual", "outcome": "confirmed", "tables": ["B", "C"]}]
    review = await api.client.get("/v1/restaurants/alpha/review", headers=api.auth("alpha"))
    assert review.json()["bookings"] == []


async def test_assign_onto_taken_tables_is_409_and_writes_nothing(api: Api) -> None:
    """Tables another booking holds then are 409 tables_taken; the booking stays in review."""
    booking_id = await _in_review(api, 6, at(minutes=60))
    taken = (await api.book(8, wait_ms=2000)).json()
    assert taken["tables"] == ["B", "C"]
    before = await api.booking(booking_id)
    holds = await api.count("table_holds")
    response = await _assign(api, booking_id, ["B", "C"])
    assert response.status_code == 409
    assert (response.json()["error"], response.json()["field"]) == ("tables_taken", "tables")
    assert await api.booking(booking_id) == before
    assert await api.count("table_holds") == holds


async def test_requeue_sends_it_back_to_the_pipeline(api: Api) -> None:
    """Requeue moves a review booking to assignment_pending; with wait_ms it is seated."""
    booking_id = await _in_review(api, 2)
    path = f"/v1/restaurants/alpha/bookings/{booking_id}/requeue"
    response = await api.client.post(path, headers=api.auth("alpha"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["assignment_state"], body["review_reason"]) == ("assignment_pending", None)
    assert body["history"][-1]["reason"] == "requeued"
    again = await api.client.post(f"{path}?wait_ms=2000", headers=api.auth("alpha"))
    assert (again.json()["status"], again.json()["tables"]) == ("confirmed", ["A"])


async def test_a_cancelled_booking_cannot_be_assigned_or_requeued(api: Api) -> None:
    """Staff cannot seat or requeue a cancelled booking: 409 booking_closed."""
    booking_id = await _in_review(api, 2)
    base = f"/v1/restaurants/alpha/bookings/{booking_id}"
    await api.client.post(f"{base}/cancel", headers=api.auth("alpha"))
    assigned = await _assign(api, booking_id, ["A"])
    requeued = await api.client.post(f"{base}/requeue", headers=api.auth("alpha"))
    assert [r.status_code for r in (assigned, requeued)] == [409, 409]
    assert {r.json()["error"] for r in (assigned, requeued)} == {"booking_closed"}
