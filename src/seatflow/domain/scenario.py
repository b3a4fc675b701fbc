"""Reading `seatflow.scenario/v1` documents into domain values, with errors that name the place.

Validation is pure and complete before anything is written, so a bad file changes nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from seatflow.domain.combinations import TooManyCombinations, valid_combinations
from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.errors import InvalidScenario

SCENARIO_FORMAT = "seatflow.scenario/v1"
RESULT_FORMAT = "seatflow.result/v1"
#: The restaurants.slug CHECK in the schema: refuse here what PostgreSQL would refuse on import.
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingRequest:
    """One guest request of a scenario stream."""

    ref: str
    requested_at: datetime
    start_at: datetime
    party_size: int
    zone_preference: str | None = None
    duration_minutes: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str
    floor: FloorPlan
    bookings: tuple[BookingRequest, ...]


def parse_scenario_text(text: str) -> Scenario:
    """Parse a scenario file's text; raises InvalidScenario naming the place and the reason."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidScenario("file", f"not JSON ({exc.msg} at line {exc.lineno})") from exc
    return parse_scenario(document)


def parse_scenario(document: Any) -> Scenario:
    if not isinstance(document, dict):
        raise InvalidScenario("file", "must be a JSON object")
    version = document.get("format")
    if version != SCENARIO_FORMAT:
        raise InvalidScenario(
            "format", f"unknown format version {version!r}, want {SCENARIO_FORMAT!r}"
        )
    floor = parse_restaurant(_field(document, "restaurant", dict, "file"))
    raw_bookings = document.get("bookings", [])
    if not isinstance(raw_bookings, list):
        raise InvalidScenario("bookings", "must be a list")
    bookings = tuple(_booking(raw, f"bookings[{i}]", floor) for i, raw in enumerate(raw_bookings))
    refs = [b.ref for b in bookings]
    if len(set(refs)) != len(refs):
        raise InvalidScenario("bookings", "duplicate ref")
    name = document.get("name") or floor.slug
    return Scenario(name=str(name), floor=floor, bookings=bookings)


def parse_restaurant(raw: dict[str, Any]) -> FloorPlan:
    """The restaurant part of a scenario (also the body of the floor API)."""
    place = "restaurant"
    slug = _field(raw, "slug", str, place)
    if not _SLUG.fullmatch(slug):
        reason = "must start with a letter or digit and use only letters, digits, - and _"
        raise InvalidScenario(f"{place}.slug", f"{reason}; got {slug!r}")
    policy = _policy(_field(raw, "policy", dict, place), f"{place}.policy")
    zones = tuple(_zone(z, f"{place}.zones[{i}]") for i, z in enumerate(_list(raw, "zones", place)))
    zone_keys = {z.key for z in zones}
    if len(zone_keys) != len(zones):
        raise InvalidScenario(f"{place}.zones", "duplicate zone key")
    tables = tuple(
        _table(t, f"{place}.tables[{i}]", zone_keys)
        for i, t in enumerate(_list(raw, "tables", place))
    )
    keys = [t.key for t in tables]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise InvalidScenario(f"{place}.tables[{i}].key", f"duplicate table key {key!r}")
    adjacency = _adjacency(raw.get("adjacency", []), f"{place}.adjacency", set(keys))
    floor = FloorPlan(
        slug=slug,
        name=str(raw.get("name") or slug),
        timezone=str(raw.get("timezone") or "UTC"),
        policy=policy,
        zones=zones,
        tables=tables,
        adjacency=adjacency,
    )
    try:
        valid_combinations(floor)  # computed once here, cached for the planner
    except TooManyCombinations as exc:
        raise InvalidScenario(
            f"{place}.policy.max_tables_per_booking",
            f"with this adjacency the floor allows {exc}; lower it or adjoin fewer tables",
        ) from exc
    return floor


def _field(raw: dict[str, Any], name: str, kind: type, place: str) -> Any:
    if name not in raw:
        raise InvalidScenario(f"{place}.{name}" if place != "file" else name, "is required")
    value = raw[name]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        label = f"{place}.{name}" if place != "file" else name
        raise InvalidScenario(label, f"must be {_kind_name(kind)}, got {value!r}")
    return value


def _kind_name(kind: type) -> str:
    return {dict: "an object", list: "a list", str: "a string", int: "an integer"}.get(
        kind, kind.__name__
    )


def _list(raw: dict[str, Any], name: str, place: str) -> list[Any]:
    value: list[Any] = _field(raw, name, list, place)
    return value


def _positive(raw: dict[str, Any], name: str, place: str, minimum: int = 1) -> int:
    value: int = _field(raw, name, int, place)
    if value < minimum:
        raise InvalidScenario(f"{place}.{name}", f"must be at least {minimum}, got {value}")
    return value


def _policy(raw: dict[str, Any], place: str) -> VenuePolicy:
    rules = []
    for i, rule in enumerate(_list(raw, "turn_minutes", place)):
        rule_place = f"{place}.turn_minutes[{i}]"
        if not isinstance(rule, dict):
            raise InvalidScenario(rule_place, "must be an object")
        rules.append(
            TurnRule(
                max_party=_positive(rule, "max_party", rule_place),
                minutes=_positive(rule, "minutes", rule_place),
            )
        )
    if not rules:
        raise InvalidScenario(f"{place}.turn_minutes", "must not be empty")
    buffer = raw.get("buffer_minutes", 15)
    if not isinstance(buffer, int) or isinstance(buffer, bool) or buffer < 0:
        raise InvalidScenario(f"{place}.buffer_minutes", f"must be an integer >= 0, got {buffer!r}")
    max_tables = raw.get("max_tables_per_booking", 3)
    if not isinstance(max_tables, int) or isinstance(max_tables, bool) or not 1 <= max_tables <= 8:
        raise InvalidScenario(
            f"{place}.max_tables_per_booking", f"must be an integer from 1 to 8, got {max_tables!r}"
        )
    return VenuePolicy(
        turn_minutes=tuple(rules), buffer_minutes=buffer, max_tables_per_booking=max_tables
    )


def _zone(raw: Any, place: str) -> Zone:
    if not isinstance(raw, dict):
        raise InvalidScenario(place, "must be an object")
    key = _key(raw, place)
    return Zone(key=key, name=str(raw.get("name") or key))


def _key(raw: dict[str, Any], place: str) -> str:
    key: str = _field(raw, "key", str, place)
    if not key.strip():
        raise InvalidScenario(f"{place}.key", "must not be empty")
    return key


def _table(raw: Any, place: str, zones: set[str]) -> Table:
    if not isinstance(raw, dict):
        raise InvalidScenario(place, "must be an object")
    key = _key(raw, place)
    place = f"{place} ({key})"
    zone = _field(raw, "zone", str, place)
    if zone not in zones:
        raise InvalidScenario(f"{place}.zone", f"unknown zone {zone!r}")
    capacity = _positive(raw, "capacity", place)
    min_party = _positive(raw, "min_party", place) if "min_party" in raw else 1
    if min_party > capacity:
        raise InvalidScenario(
            f"{place}.min_party", f"min_party {min_party} exceeds capacity {capacity}"
        )
    combinable = raw.get("combinable", True)
    if not isinstance(combinable, bool):
        raise InvalidScenario(f"{place}.combinable", f"must be true or false, got {combinable!r}")
    return Table(key=key, zone=zone, capacity=capacity, min_party=min_party, combinable=combinable)


def _adjacency(raw: Any, place: str, keys: set[str]) -> frozenset[frozenset[str]]:
    if not isinstance(raw, list):
        raise InvalidScenario(place, "must be a list of [table, table] pairs")
    pairs = set()
    for i, pair in enumerate(raw):
        where = f"{place}[{i}]"
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(k, str) for k in pair)
        ):
            raise InvalidScenario(where, "must be a pair of table keys")
        for key in pair:
            if key not in keys:
                raise InvalidScenario(where, f"adjacency to unknown table {key!r}")
        if pair[0] == pair[1]:
            raise InvalidScenario(where, f"table {pair[0]!r} cannot be adjacent to itself")
        pairs.add(frozenset(pair))
    return frozenset(pairs)


def _booking(raw: Any, place: str, floor: FloorPlan) -> BookingRequest:
    if not isinstance(raw, dict):
        raise InvalidScenario(place, "must be an object")
    ref = _field(raw, "ref", str, place)
    preference = raw.get("zone_preference")
    if preference is not None and preference not in {z.key for z in floor.zones}:
        raise InvalidScenario(f"{place}.zone_preference", f"unknown zone {preference!r}")
    duration = raw.get("duration_minutes")
    if duration is not None:
        duration = _positive(raw, "duration_minutes", place)
    return BookingRequest(
        ref=ref,
        requested_at=_timestamp(raw, "requested_at", place),
        start_at=_timestamp(raw, "start_at", place),
        party_size=_positive(raw, "party_size", place),
        zone_preference=preference,
        duration_minutes=duration,
    )


def _timestamp(raw: dict[str, Any], name: str, place: str) -> datetime:
    text = _field(raw, name, str, place)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidScenario(f"{place}.{name}", f"not an ISO-8601 timestamp: {text!r}") from exc
    if value.tzinfo is None:
        raise InvalidScenario(f"{place}.{name}", "needs a UTC offset")
    return value
