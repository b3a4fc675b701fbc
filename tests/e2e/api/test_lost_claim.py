"""An acceptance whose claim loses — another write moved the restaurant's promises between its
snapshot and its write — plans again and writes once: nothing sent with the lost claim stays.

The create sends its claim, row, state walk and job together without reading the claim first, so
only the claim's own failure keeps the rest from committing; these tests make it lose once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from e2e.api.kit import Api, at, serving
from seatflow.api import acceptance
from seatflow.api.auth import Scope
from seatflow.api.state import ApiState
from seatflow.store.reservations import Reservations


def moved_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make another write land right after the first snapshot is read; the versions read."""
    real: Callable[..., Any] = acceptance._promise
    seen: list[int] = []

    async def promise(state: ApiState, scope: Scope, *args: Any, **kwargs: Any) -> Reservations:
        snapshot: Reservations = await real(state, scope, *args, **kwargs)
        seen.append(snapshot.version)
        if len(seen) == 1:
            await api.sql(
                "UPDATE restaurants SET reservation_version = reservation_version + 1 "
                "WHERE id = %s",
                scope.floor.restaurant_id,
            )
        return snapshot

    monkeypatch.setattr(acceptance, "_promise", promise)
    return seen


async def version(api: Api) -> int:
    rows = await api.sql("SELECT reservation_version AS v FROM restaurants WHERE slug = 'alpha'")
    return int(rows[0]["v"])


async def test_a_create_whose_claim_lost_writes_once(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(db_url) as api:
        seen = moved_once(api, monkeypatch)
        response = await api.book(2, at(days=1))
        assert response.status_code == 201, response.text
        assert seen == [seen[0], seen[0] + 1]  # planned again on the version the write moved
        booking_id = response.json()["id"]
        assert await api.count("bookings") == 1
        jobs = await api.sql(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE args->>'booking_id' = %s",
            booking_id,
        )
        assert jobs[0]["n"] == 1
        steps = await api.sql(
            "SELECT to_state FROM booking_assignment_state_history WHERE booking_id = %s "
            "ORDER BY version",
            booking_id,
        )
        history = response.json()["history"]
        assert [s["to_state"] for s in steps] == [h["to_state"] for h in history]
        assert await version(api) == seen[1] + 1  # moved by the write that won, once


async def test_a_modification_whose_claim_lost_applies_once(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(db_url) as api:
        created = await api.book(2, at(days=1))
        assert created.status_code == 201, created.text
        booking_id = created.json()["id"]
        seen = moved_once(api, monkeypatch)
        response = await api.client.patch(
            f"/v1/restaurants/alpha/bookings/{booking_id}",
            json={"party_size": 3},
            headers=api.auth("alpha"),
        )
        assert response.status_code == 200, response.text
        assert response.json()["party_size"] == 3
        assert seen == [seen[0], seen[0] + 1]
        # The claim and the hand-back to pending, once each: the lost round moved nothing.
        assert await version(api) == seen[1] + 2
        assert (await api.booking(booking_id))["party_size"] == 3
