"""The floor cache serves the stored floor until an import changes it."""

from __future__ import annotations

import dataclasses

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.store.database import Connection
from seatflow.store.floors import FloorCache, import_floor

FLOOR = FloorPlan(
    slug="cached",
    name="Cached",
    policy=VenuePolicy(turn_minutes=(TurnRule(max_party=99, minutes=90),)),
    zones=(Zone(key="main", name="Main"),),
    tables=(Table(key="T1", zone="main", capacity=4),),
)


async def test_cache_reloads_after_a_reimport(conn: Connection) -> None:
    """The same object comes back until a re-import bumps the version; then the new floor."""
    async with conn.transaction():
        restaurant_id = await import_floor(conn, FLOOR)
    cache = FloorCache()
    first = await cache.get(conn, restaurant_id)
    assert await cache.get(conn, restaurant_id) is first
    bigger = dataclasses.replace(FLOOR, tables=(Table(key="T1", zone="main", capacity=6),))
    async with conn.transaction():
        await import_floor(conn, bigger)
    reloaded = await cache.get(conn, restaurant_id)
    assert reloaded is not first and reloaded.plan.tables[0].capacity == 6


async def test_by_slug_and_a_known_version_share_the_cache(conn: Connection) -> None:
    """`by_slug` (the API) and `get` with the version a claim read (the coordinator) return the
    cached floor while it is current, and a new one after a re-import."""
    async with conn.transaction():
        restaurant_id = await import_floor(conn, FLOOR)
    cache = FloorCache()
    first = await cache.by_slug(conn, FLOOR.slug)
    version = (await (await conn.execute("SELECT updated_at FROM restaurants")).fetchone() or {})[
        "updated_at"
    ]
    assert await cache.get(conn, restaurant_id, version) is first
    assert await cache.by_slug(conn, FLOOR.slug) is first
    async with conn.transaction():
        await import_floor(conn, dataclasses.replace(FLOOR, name="Renamed"))
    assert (await cache.by_slug(conn, FLOOR.slug)).plan.name == "Renamed"
