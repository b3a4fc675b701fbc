"""Checks across fields — what no single field's type can say: keys unique, zones and tables
that exist, a minimum within the capacity.

They read the raw document, not the validated model, so they run even when some fields are
malformed and every problem is reported at once; whatever is malformed they skip (its type
error is reported already).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from seatflow.documents.problems import Loc

__all__ = ["booking_problems", "restaurant_problems"]

Found = tuple[Loc, str]


def restaurant_problems(raw: object) -> list[Found]:
    """Duplicate keys, unknown zones and tables, self-adjacency, min_party over capacity."""
    if not isinstance(raw, dict):
        return []
    zone_keys = _unique_keys(raw.get("zones"), "zones", "zone key")
    table_keys = _unique_keys(raw.get("tables"), "tables", "table key")
    found = list(zone_keys.problems) + list(table_keys.problems)
    for i, table in _objects(raw.get("tables")):
        found += _table_problems(i, table, zone_keys.keys if zone_keys.complete else None)
    if table_keys.complete:
        found += _adjacency_problems(raw.get("adjacency"), table_keys.keys)
    return found


def booking_problems(raw: object, zones: object) -> list[Found]:
    """Duplicate refs, and zone preferences the floor does not have."""
    known = _unique_keys(zones, "zones", "zone key")
    found = list(_unique_keys(raw, "bookings", "ref", field="ref").problems)
    for i, booking in _objects(raw):
        preference = _text(booking, "zone_preference")
        if preference is not None and known.complete and preference not in known.keys:
            found.append((("bookings", i, "zone_preference"), f"unknown zone {preference!r}"))
    return found


class _Keys:
    """The keys of a list, its duplicates, and whether every item had a usable key (if not,
    what refers to the list cannot be checked against it: the reader meant some key we lack)."""

    def __init__(self, items: object) -> None:
        self.keys: set[str] = set()
        self.problems: list[Found] = []
        self.complete = isinstance(items, list)


def _unique_keys(items: object, name: str, what: str, *, field: str = "key") -> _Keys:
    result = _Keys(items)
    for i, item in enumerate(items if isinstance(items, list) else []):
        key = _text(item, field) if isinstance(item, dict) else None
        if key is None:
            result.complete = False
            continue
        if key in result.keys:
            result.problems.append(((name, i, field), f"duplicate {what} {key!r}"))
        result.keys.add(key)
    return result


def _table_problems(i: int, table: dict[str, Any], zones: set[str] | None) -> list[Found]:
    found: list[Found] = []
    zone = _text(table, "zone")
    if zones is not None and zone is not None and zone not in zones:
        found.append((("tables", i, "zone"), f"unknown zone {zone!r}"))
    capacity, min_party = _count(table, "capacity"), _count(table, "min_party", 1)
    if capacity is not None and min_party is not None and min_party > capacity:
        found.append(
            (("tables", i, "min_party"), f"min_party {min_party} exceeds capacity {capacity}")
        )
    return found


def _adjacency_problems(pairs: object, tables: set[str]) -> list[Found]:
    found: list[Found] = []
    for i, pair in enumerate(pairs if isinstance(pairs, list) else []):
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(k, str) for k in pair)
        ):
            continue
        for key in dict.fromkeys(pair):
            if key.strip() and key not in tables:
                found.append((("adjacency", i), f"adjacency to unknown table {key!r}"))
        if pair[0] == pair[1] and pair[0] in tables:
            found.append((("adjacency", i), f"table {pair[0]!r} cannot be adjacent to itself"))
    return found


def _objects(items: object) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield i, item


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _count(item: dict[str, Any], name: str, default: int | None = None) -> int | None:
    """A usable count (an int >= 1, not a bool), else None: its own error is reported."""
    value = item.get(name, default)
    return value if type(value) is int and value >= 1 else None
