"""Helpers for the HTTP API tests: the test floor, and a running app (lifespan and all) behind
httpx's ASGI transport with two restaurants, a key for each, an admin key and a revoked key."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import psycopg
from fastapi import FastAPI
from psycopg.rows import dict_row

from seatflow.api import create_app
from seatflow.api.state import ApiState
from seatflow.documents import parse_restaurant
from seatflow.domain.states import AssignmentState
from seatflow.settings import Settings
from seatflow.store.api_keys import generate_key, insert_key, revoke_key
from seatflow.store.bookings import advance, require_booking
from seatflow.store.floors import import_floor

#: Tables A (2), B (4), C (4) in `main`, B–C adjacent, and T (2) alone on the terrace; two tables
#: at most per booking, so the largest party is 8 (B+C).
FLOOR: dict[str, Any] = {
    "slug": "alpha",
    "name": "Alpha",
    "timezone": "UTC",
    "policy": {
        "turn_minutes": [{"max_party": 2, "minutes": 90}, {"max_party": 99, "minutes": 120}],
        "buffer_minutes": 15,
        "max_tables_per_booking": 2,
    },
    "zones": [{"key": "main", "name": "Main"}, {"key": "terrace", "name": "Terrace"}],
    "tables": [
        {"key": "A", "zone": "main", "capacity": 2, "min_party": 1, "combinable": True},
        {"key": "B", "zone": "main", "capacity": 4, "min_party": 1, "combinable": True},
        {"key": "C", "zone": "main", "capacity": 4, "min_party": 1, "combinable": True},
        {"key": "T", "zone": "terrace", "capacity": 2, "min_party": 1, "combinable": False},
    ],
    "adjacency": [["B", "C"]],
}
#: 19:00 UTC three days from now: always in the future, always inside service hours.
START = (datetime.now(UTC) + timedelta(days=3)).replace(hour=19, minute=0, second=0, microsecond=0)


def floor_doc(slug: str, **changes: Any) -> dict[str, Any]:
    """The test floor under another slug, with top-level fields replaced."""
    doc = copy.deepcopy(FLOOR)
    doc.update({"slug": slug, "name": slug.title(), **changes})
    return doc


def at(start: datetime = START, **delta: int) -> str:
    return (start + timedelta(**delta)).isoformat()


@dataclass
class Api:
    """A running app and what a test needs to call it: a client, keys by owner, the database."""

    app: FastAPI
    client: httpx.AsyncClient
    url: str
    keys: dict[str, str]
    restaurants: dict[str, UUID] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    @property
    def state(self) -> ApiState:
        state = self.app.state.seatflow
        assert isinstance(state, ApiState)
        return state

    async def book(
        self,
        party_size: int = 2,
        start_at: str | None = None,
        *,
        who: str = "alpha",
        slug: str = "alpha",
        wait_ms: int | None = None,
        **extra: Any,
    ) -> httpx.Response:
        query = "" if wait_ms is None else f"?wait_ms={wait_ms}"
        body = {"party_size": party_size, "start_at": start_at or at(), **extra}
        return await self.client.post(
            f"/v1/restaurants/{slug}/bookings{query}", json=body, headers=self.auth(who)
        )

    async def booking(self, booking_id: str, slug: str = "alpha") -> dict[str, Any]:
        """The booking as an admin sees it."""
        response = await self.client.get(
            f"/v1/restaurants/{slug}/bookings/{booking_id}", headers=self.auth("admin")
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def flush_events(self) -> None:
        await self.state.services.sink.flush()

    async def sql(self, statement: str, *params: object) -> list[dict[str, Any]]:
        async with await psycopg.AsyncConnection.connect(self.url, row_factory=dict_row) as conn:
            cursor = await conn.execute(statement, params)  # type: ignore[arg-type]
            rows = await cursor.fetchall() if cursor.description else []
            await conn.commit()
        return rows

    async def count(self, table: str) -> int:
        rows = await self.sql(f"SELECT count(*) AS n FROM {table}")
        return int(rows[0]["n"])


def api_settings(url: str, **overrides: Any) -> Settings:
    """V3 on, a short re-pack budget; nothing read from a `.env` file."""
    values: dict[str, Any] = {
        "DATABASE_URL": url,
        "FEATURE_ASSIGNMENT_PIPELINE_V3": True,
        "SEATFLOW_REPACK_BUDGET_MS": 300,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def seed(url: str) -> tuple[dict[str, str], dict[str, UUID]]:
    """Restaurants alpha and beta, a key for each, an admin key and a revoked alpha key."""
    keys: dict[str, str] = {}
    restaurants: dict[str, UUID] = {}
    connection = await psycopg.AsyncConnection.connect(url, row_factory=dict_row)
    async with connection as conn, conn.transaction():
        for slug in ("alpha", "beta"):
            restaurants[slug] = await import_floor(conn, parse_restaurant(floor_doc(slug)))
            keys[slug] = await _key(conn, restaurants[slug])
        keys["admin"] = await _key(conn, None)
        revoked = generate_key()
        await insert_key(conn, revoked, restaurant_id=restaurants["alpha"])
        await revoke_key(conn, revoked.prefix)
        keys["revoked"] = revoked.token
    return keys, restaurants


async def _key(conn: psycopg.AsyncConnection[dict[str, Any]], restaurant: UUID | None) -> str:
    key = generate_key()
    await insert_key(conn, key, restaurant_id=restaurant)
    return key.token


@asynccontextmanager
async def serving(url: str, **overrides: Any) -> AsyncIterator[Api]:
    keys, restaurants = await seed(url)
    app = create_app(api_settings(url, **overrides), url, pool_size=4)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://seatflow.test") as client,
    ):
        yield Api(app=app, client=client, url=url, keys=keys, restaurants=restaurants)


def admin_sql(server_url: str, statement: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(statement)  # type: ignore[arg-type]  # identifiers the tests generated


async def send_to_review(url: str, booking_id: str) -> None:
    """Send a booking to manual review as a pipeline would (reason `no_capacity`)."""
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        booking = await require_booking(conn, UUID(booking_id))
        await advance(
            conn, booking, (AssignmentState.MANUAL_REVIEW,), actor="test", reason="no_capacity"
        )
        await conn.commit()
