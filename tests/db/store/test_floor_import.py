"""Floor import on PostgreSQL: round-trips every scenario, is idempotent, and updates in place."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from seatflow.documents import parse_scenario_text
from seatflow.domain.floor import FloorPlan
from seatflow.errors import NotFound
from seatflow.store.database import Connection
from seatflow.store.floors import import_floor, list_restaurants, load_floor

REPO = Path(__file__).resolve().parents[3]
SHARED_SCENARIOS = REPO.parent / "shared" / "scenarios"
SAMPLE = REPO / "samples" / "dev-05-t24-l0.8.json"
FLOOR_TABLES = ("restaurants", "zones", "tables", "table_adjacency")


def scenario_files() -> list[Path]:
    """The shared dev scenarios (when the checkout sits beside shared/) and the shipped samples."""
    shared = sorted(SHARED_SCENARIOS.glob("dev-*.json")) if SHARED_SCENARIOS.is_dir() else []
    return shared + sorted((REPO / "samples").glob("dev-*.json"))


def floor_of(path: Path) -> FloorPlan:
    return parse_scenario_text(path.read_text()).floor


async def _import(conn: Connection, floor: FloorPlan) -> None:
    async with conn.transaction():
        await import_floor(conn, floor)


async def _counts(conn: Connection) -> dict[str, int]:
    counts = {}
    for table in FLOOR_TABLES:
        row = await (await conn.execute(f"SELECT count(*) AS n FROM {table}")).fetchone()
        assert row is not None
        counts[table] = row["n"]
    await conn.rollback()  # end the read so the next import gets a real transaction
    return counts


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
async def test_every_scenario_round_trips(conn: Connection, path: Path) -> None:
    """import_floor then load_floor returns an equal FloorPlan: tables, zones, adjacency, policy."""
    floor = floor_of(path)
    async with conn.transaction():
        restaurant_id = await import_floor(conn, floor)
    stored = await load_floor(conn, floor.slug)
    assert stored.restaurant_id == restaurant_id
    assert stored.plan.tables == floor.tables
    assert stored.plan.zones == floor.zones
    assert stored.plan.adjacency == floor.adjacency
    assert stored.plan.policy == floor.policy
    assert stored.plan == floor
    assert set(stored.table_ids) == set(floor.table_keys)


async def test_reimport_is_idempotent(conn: Connection) -> None:
    """Importing the same file again changes no row count, id or loaded plan (only the version
    moves: every import bumps it)."""
    floor = floor_of(SAMPLE)
    await _import(conn, floor)
    first, before = await load_floor(conn, floor.slug), await _counts(conn)
    await _import(conn, floor)
    second, after = await load_floor(conn, floor.slug), await _counts(conn)
    assert after == before
    assert before["restaurants"] == 1
    assert before["tables"] == len(floor.tables)
    assert before["table_adjacency"] == len(floor.adjacency)
    assert dataclasses.replace(second, version=first.version) == first
    assert second.version > first.version


async def test_changed_reimport_updates_in_place(conn: Connection) -> None:
    """A new capacity is stored and a table dropped from the file is deactivated, not offered."""
    floor = floor_of(SAMPLE)
    await _import(conn, floor)
    original = await load_floor(conn, floor.slug)
    grown, dropped = floor.tables[0], floor.tables[-1]
    changed = dataclasses.replace(
        floor,
        tables=(dataclasses.replace(grown, capacity=grown.capacity + 2), *floor.tables[1:-1]),
        adjacency=frozenset(p for p in floor.adjacency if dropped.key not in p),
    )
    await _import(conn, changed)
    stored = await load_floor(conn, floor.slug)
    assert stored.restaurant_id == original.restaurant_id
    assert stored.plan == changed
    assert stored.plan.table(grown.key).capacity == grown.capacity + 2
    assert dropped.key not in stored.plan.table_keys
    assert dropped.key not in stored.table_ids
    assert stored.table_ids == {k: v for k, v in original.table_ids.items() if k != dropped.key}
    row = await (
        await conn.execute("SELECT active FROM tables WHERE key = %s", (dropped.key,))
    ).fetchone()
    assert row == {"active": False}  # kept for the allocations that point at it
    [listed] = await list_restaurants(conn)
    assert listed["tables"] == len(changed.tables)


async def test_zone_dropped_from_the_file_is_not_loaded(conn: Connection) -> None:
    """A re-import without a zone (and its tables) loads a plan without that zone."""
    floor = floor_of(SAMPLE)
    await _import(conn, floor)
    gone = floor.zones[-1].key
    kept = tuple(t for t in floor.tables if t.zone != gone)
    keys = {t.key for t in kept}
    changed = dataclasses.replace(
        floor,
        zones=floor.zones[:-1],
        tables=kept,
        adjacency=frozenset(p for p in floor.adjacency if p <= keys),
    )
    await _import(conn, changed)
    assert (await load_floor(conn, floor.slug)).plan == changed


async def test_reimporting_a_dropped_table_reactivates_it(conn: Connection) -> None:
    """A table removed by one import and listed again by the next is active with the same id."""
    floor = floor_of(SAMPLE)
    await _import(conn, floor)
    original = await load_floor(conn, floor.slug)
    await _import(conn, dataclasses.replace(floor, tables=floor.tables[:-1], adjacency=frozenset()))
    await _import(conn, floor)
    restored = await load_floor(conn, floor.slug)
    assert restored.plan == floor
    assert restored.table_ids == original.table_ids


async def test_unknown_slug_is_not_found(conn: Connection) -> None:
    """load_floor of a slug never imported raises NotFound."""
    with pytest.raises(NotFound):
        await load_floor(conn, "nowhere")
