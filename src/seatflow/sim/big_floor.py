"""Seeded large venues (hotels, food halls, event spaces) and their evening's booking stream.

The shared scenarios stop at 60 tables; planning on 200–500 tables is where the per-floor data,
the candidate lists and the re-pack's model grow. This builds such a floor in the
`seatflow.scenario/v1` format: zones of 30–45 tables laid out in rows, neighbours in a row
joinable and some neighbours across rows too, a mix of two- and four-tops with a few large
tables (a minimum party) and bar seats that never join. The stream is shaped like the shared
ones: mostly couples and fours, peak at 19:00–19:30, a few zone wishes, and as many covers as
``load`` × 3.1 × the floor's seats (what the shared scenarios hold at that load).

The same (tables, load, seed) always gives the same document.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["COVERS_PER_SEAT", "big_floor_scenario"]

#: Covers per seat of the floor at load 1.0 in the shared scenarios (dev-01..12: 2.9–3.2).
COVERS_PER_SEAT = 3.1
_ZONE_NAMES = (
    "Main", "Terrace", "Garden", "Mezzanine", "Bar", "Lounge", "Patio", "Library",
    "Atrium", "Courtyard", "Ballroom", "Gallery", "Conservatory", "Veranda", "Cellar",
)  # fmt: skip
_PARTIES = ((1, 3), (2, 51), (3, 12), (4, 21), (5, 5), (6, 5), (7, 1), (8, 2))
#: Start times (minutes after 17:00, every quarter hour to 21:30) and their weights.
_STARTS = tuple(range(0, 271, 15))
_START_WEIGHTS = (4, 3, 3, 7, 8, 10, 10, 17, 23, 14, 9, 15, 10, 7, 1, 5, 7, 2, 2)
_SERVICE_DAY = datetime(2026, 12, 12, 17, 0, tzinfo=UTC)


def big_floor_scenario(tables: int, *, load: float = 0.9, seed: int = 0) -> dict[str, Any]:
    """A scenario document: a floor of `tables` tables and one evening's requests at `load`."""
    rng = random.Random(f"{tables}/{load}/{seed}")
    restaurant = _restaurant(rng, tables, seed)
    seats = sum(t["capacity"] for t in restaurant["tables"])
    zones = [z["key"] for z in restaurant["zones"]]
    return {
        "format": "seatflow.scenario/v1",
        "name": f"big-t{tables}-l{load}-s{seed}",
        "restaurant": restaurant,
        "bookings": _bookings(rng, round(load * COVERS_PER_SEAT * seats), zones),
    }


def _restaurant(rng: random.Random, tables: int, seed: int) -> dict[str, Any]:
    zone_count = max(1, round(tables / 40))
    sizes = [
        tables // zone_count + (1 if i < tables % zone_count else 0) for i in range(zone_count)
    ]
    zones, rows, pairs = [], [], []
    for number, size in enumerate(sizes):
        key = f"z{number + 1:02d}"
        name = _ZONE_NAMES[number % len(_ZONE_NAMES)]
        zones.append({"key": key, "name": name if number < len(_ZONE_NAMES) else f"{name} {key}"})
        zone_tables, zone_pairs = _zone(rng, key, size)
        rows.extend(zone_tables)
        pairs.extend(zone_pairs)
    return {
        "slug": f"big-{tables}-{seed}",
        "name": f"Grand Hall {tables}",
        "timezone": "UTC",
        "policy": {
            "turn_minutes": [
                {"max_party": 2, "minutes": 90},
                {"max_party": 4, "minutes": 105},
                {"max_party": 6, "minutes": 120},
                {"max_party": 99, "minutes": 150},
            ],
            "buffer_minutes": 15,
            "max_tables_per_booking": 3,
        },
        "zones": zones,
        "tables": rows,
        "adjacency": pairs,
    }


def _zone(rng: random.Random, zone: str, size: int) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Rows of 4–8 tables: a row's neighbours join, and a third of the tables also join the
    table in the same place of the next row. A tenth are bar seats that never join."""
    tables: list[dict[str, Any]] = []
    pairs: list[list[str]] = []
    previous: list[dict[str, Any]] = []
    row_number = 0
    while len(tables) < size:
        row_number += 1
        length = min(rng.randint(4, 8), size - len(tables))
        row = [
            _table(rng, f"{zone.upper()}R{row_number}{chr(97 + i)}", zone) for i in range(length)
        ]
        for left, right in zip(row, row[1:], strict=False):
            if left["combinable"] and right["combinable"]:
                pairs.append([left["key"], right["key"]])
        for above, below in zip(previous, row, strict=False):
            if above["combinable"] and below["combinable"] and rng.random() < 0.33:
                pairs.append([above["key"], below["key"]])
        tables.extend(row)
        previous = row
    return tables, pairs


def _table(rng: random.Random, key: str, zone: str) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.10:  # bar seats and high-tops
        return _row(key, zone, rng.choice((1, 2)), 1, combinable=False)
    if roll < 0.13:
        return _row(key, zone, 8, 4, combinable=True)
    if roll < 0.17:
        return _row(key, zone, 6, 3, combinable=True)
    return _row(key, zone, 2 if roll < 0.55 else 4, 1, combinable=True)


def _row(key: str, zone: str, capacity: int, min_party: int, *, combinable: bool) -> dict[str, Any]:
    return {
        "key": key,
        "zone": zone,
        "capacity": capacity,
        "min_party": min_party,
        "combinable": combinable,
    }


def _bookings(rng: random.Random, covers: int, zones: list[str]) -> list[dict[str, Any]]:
    """Requests adding up to `covers`, in the order they were made (up to three weeks ahead)."""
    sizes, weights = zip(*_PARTIES, strict=True)
    drafts = []
    total = 0
    while total < covers:
        party = rng.choices(sizes, weights)[0]
        start = _SERVICE_DAY + timedelta(minutes=rng.choices(_STARTS, _START_WEIGHTS)[0])
        made = start - timedelta(minutes=rng.randint(60, 21 * 24 * 60))
        wish = rng.choice(zones) if rng.random() < 0.09 else None
        drafts.append((made, start, party, wish))
        total += party
    drafts.sort(key=lambda d: d[0])
    return [
        {
            "ref": f"R{number + 1:05d}",
            "requested_at": _iso(made),
            "start_at": _iso(start),
            "party_size": party,
            "zone_preference": wish,
        }
        for number, (made, start, party, wish) in enumerate(drafts)
    ]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
