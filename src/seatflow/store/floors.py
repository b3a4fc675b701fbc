"""Floor plans in PostgreSQL: import (idempotent upsert) and load back as a domain FloorPlan.

A floor change holds the restaurant's floor lock exclusively (`lock_floor_for_change`); every
writer of tables takes it shared and checks the floor version it planned on (store/holds.py), so
no allocation made on the old floor can commit beside the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncCursor
from psycopg.types.json import Jsonb

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.domain.floor_change import Seating
from seatflow.errors import NotFound
from seatflow.store.bookings import CLOSED
from seatflow.store.database import Connection
from seatflow.store.locks import FLOOR_LOCKS
from seatflow.store.queries import query


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredFloor:
    """A floor as stored: the domain plan plus the database ids the store layer needs, and its
    version (the restaurant's `updated_at`, which every import moves)."""

    restaurant_id: UUID
    plan: FloorPlan
    table_ids: dict[str, int]
    version: datetime

    @property
    def table_keys(self) -> dict[int, str]:
        return {table_id: key for key, table_id in self.table_ids.items()}


async def import_floor(conn: Connection, floor: FloorPlan) -> UUID:
    """Create or update the restaurant in place; the caller's transaction makes it atomic."""
    restaurant_id: UUID = await _scalar(
        conn,
        "upsert_restaurant",
        slug=floor.slug,
        name=floor.name,
        timezone=floor.timezone,
        turn_minutes=Jsonb(
            [{"max_party": r.max_party, "minutes": r.minutes} for r in floor.policy.turn_minutes]
        ),
        buffer_minutes=floor.policy.buffer_minutes,
        max_tables=floor.policy.max_tables_per_booking,
    )
    zone_ids = {
        zone.key: await _scalar(
            conn, "upsert_zone", restaurant_id=restaurant_id, key=zone.key, name=zone.name
        )
        for zone in floor.zones
    }
    table_ids = {}
    for table in floor.tables:
        table_ids[table.key] = await _scalar(
            conn,
            "upsert_table",
            restaurant_id=restaurant_id,
            zone_id=zone_ids[table.zone],
            key=table.key,
            capacity=table.capacity,
            min_party=table.min_party,
            combinable=table.combinable,
        )
    await conn.execute(
        query("deactivate_missing_tables"),
        {"restaurant_id": restaurant_id, "keys": list(table_ids)},
    )
    await conn.execute(query("clear_adjacency"), {"restaurant_id": restaurant_id})
    async with conn.cursor() as cur:
        await cur.executemany(
            query("insert_adjacency"),
            [
                {"restaurant_id": restaurant_id, "a": table_ids[a], "b": table_ids[b]}
                for a, b in sorted(tuple(sorted(pair)) for pair in floor.adjacency)
            ],
        )
    return restaurant_id


async def lock_floor_for_change(conn: Connection, slug: str) -> UUID | None:
    """The restaurant's id, its floor lock held exclusively until the transaction ends (None: a
    new restaurant, nothing to lock). Waits for writers of tables in flight; later ones fail."""
    row = await (await conn.execute(query("restaurant_id_by_slug"), {"slug": slug})).fetchone()
    if row is None:
        return None
    params = {"namespace": FLOOR_LOCKS, "restaurant_id": row["id"]}
    await conn.execute(query("lock_floor_for_change"), params)
    restaurant_id: UUID = row["id"]
    return restaurant_id


async def live_seatings(conn: Connection, restaurant_id: UUID, now: datetime) -> list[Seating]:
    """Open bookings on tables they keep after `now`: what a floor change must not strand.

    Read under the floor lock, so no assigner can add one before the change commits."""
    params = {"restaurant_id": restaurant_id, "now": now, "closed": CLOSED}
    rows = await (await conn.execute(query("live_seatings"), params)).fetchall()
    return [
        Seating(
            booking_id=str(row["id"]),
            ref=row["ref"],
            start_at=row["start_at"],
            party_size=row["party_size"],
            tables=tuple(row["tables"]),
        )
        for row in rows
    ]


async def load_floor(conn: Connection, slug: str) -> StoredFloor:
    row = await (await conn.execute(query("restaurant_by_slug"), {"slug": slug})).fetchone()
    if row is None:
        raise NotFound(f"no restaurant {slug!r}")
    return await _floor_from_row(conn, row)


async def load_floor_by_id(conn: Connection, restaurant_id: UUID) -> StoredFloor:
    params = {"restaurant_id": restaurant_id}
    row = await (await conn.execute(query("restaurant_by_id"), params)).fetchone()
    if row is None:
        raise NotFound(f"no restaurant {restaurant_id}")
    return await _floor_from_row(conn, row)


async def list_restaurants(conn: Connection) -> list[dict[str, Any]]:
    return list(await (await conn.execute(query("list_restaurants"))).fetchall())


async def _floor_from_row(conn: Connection, row: dict[str, Any]) -> StoredFloor:
    params = {"restaurant_id": row["id"]}
    zones = await (await conn.execute(query("floor_zones"), params)).fetchall()
    tables = await (await conn.execute(query("floor_tables"), params)).fetchall()
    pairs = await (await conn.execute(query("floor_adjacency"), params)).fetchall()
    plan = FloorPlan(
        slug=row["slug"],
        name=row["name"],
        timezone=row["timezone"],
        policy=VenuePolicy(
            turn_minutes=tuple(
                TurnRule(max_party=r["max_party"], minutes=r["minutes"])
                for r in row["turn_minutes"]
            ),
            buffer_minutes=row["buffer_minutes"],
            max_tables_per_booking=row["max_tables_per_booking"],
        ),
        zones=tuple(Zone(key=z["key"], name=z["name"]) for z in zones),
        tables=tuple(
            Table(
                key=t["key"],
                zone=t["zone"],
                capacity=t["capacity"],
                min_party=t["min_party"],
                combinable=t["combinable"],
            )
            for t in tables
        ),
        adjacency=frozenset(frozenset((p["a"], p["b"])) for p in pairs),
    )
    return StoredFloor(
        restaurant_id=row["id"],
        plan=plan,
        table_ids={t["key"]: t["id"] for t in tables},
        version=row["updated_at"],
    )


async def _scalar(conn: Connection, block: str, **params: Any) -> Any:
    row = await (await conn.execute(query(block), params)).fetchone()
    assert row is not None
    return next(iter(row.values()))


async def send_slug_lookup(conn: Connection, slug: str) -> AsyncCursor[dict[str, Any]]:
    """The restaurant row by slug, sent: in pipeline mode it travels with what else is sent."""
    return await conn.execute(query("restaurant_by_slug"), {"slug": slug})


class FloorCache:
    """Floors by restaurant, reloaded only when the restaurant's `updated_at` moves.

    Every import bumps `updated_at`, so one cheap query replaces four per assignment.
    """

    def __init__(self) -> None:
        self._floors: dict[UUID, tuple[datetime, StoredFloor]] = {}

    async def get(
        self, conn: Connection, restaurant_id: UUID, version: datetime | None = None
    ) -> StoredFloor:
        """The restaurant's floor; given `version` (its `updated_at`, read alongside something
        else), a current cached floor costs no query at all, else one."""
        cached = self._floors.get(restaurant_id)
        if version is not None and cached is not None and cached[0] == version:
            return cached[1]
        params = {"restaurant_id": restaurant_id}
        row = await (await conn.execute(query("restaurant_by_id"), params)).fetchone()
        if row is None:
            raise NotFound(f"no restaurant {restaurant_id}")
        return await self._current(conn, row)

    async def by_slug(self, conn: Connection, slug: str) -> StoredFloor:
        """The floor of the restaurant `slug`: one query when the cached floor is current."""
        return await self.of_sent(conn, await send_slug_lookup(conn, slug), slug)

    async def of_sent(
        self, conn: Connection, sent: AsyncCursor[dict[str, Any]], slug: str
    ) -> StoredFloor:
        """The floor of a `send_slug_lookup` already sent (read now; loaded if not cached)."""
        row = await sent.fetchone()
        if row is None:
            raise NotFound(f"no restaurant {slug!r}")
        return await self._current(conn, row)

    async def _current(self, conn: Connection, row: dict[str, Any]) -> StoredFloor:
        cached = self._floors.get(row["id"])
        if cached is not None and cached[0] == row["updated_at"]:
            return cached[1]
        floor = await _floor_from_row(conn, row)
        self._floors[row["id"]] = (row["updated_at"], floor)
        return floor
