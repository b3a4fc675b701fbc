"""Reading seatflow.scenario/v1 documents: the shipped ones load; a bad one is refused with every
problem named at once, each with its path and reason; unknown keys and other formats too."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from seatflow.documents import parse_restaurant, parse_scenario, parse_scenario_text
from seatflow.domain.scenario import SCENARIO_FORMAT
from seatflow.errors import InvalidDocument, InvalidInput, InvalidScenario

REPO = Path(__file__).resolve().parents[3]
SHARED_SCENARIOS = REPO.parent / "shared" / "scenarios"
SAMPLE = REPO / "samples" / "dev-05-t24-l0.8.json"

Document = dict[str, Any]


def scenario_files() -> list[Path]:
    """The shared dev scenarios (when the checkout sits beside shared/) and the shipped samples."""
    shared = sorted(SHARED_SCENARIOS.glob("dev-*.json")) if SHARED_SCENARIOS.is_dir() else []
    return shared + sorted((REPO / "samples").glob("dev-*.json"))


@cache
def _sample_text() -> str:
    return SAMPLE.read_text()


def sample() -> Document:
    """A fresh, mutable copy of the sample scenario document."""
    document: Document = json.loads(_sample_text())
    return copy.deepcopy(document)


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_scenario_file_parses(path: Path) -> None:
    """Each dev scenario and sample parses into a floor and booking stream matching the JSON."""
    raw = json.loads(path.read_text())
    scenario = parse_scenario_text(path.read_text())
    restaurant = raw["restaurant"]
    assert scenario.name == raw["name"]
    assert scenario.floor.slug == restaurant["slug"]
    assert [z.key for z in scenario.floor.zones] == [z["key"] for z in restaurant["zones"]]
    assert [t.key for t in scenario.floor.tables] == [t["key"] for t in restaurant["tables"]]
    assert scenario.floor.adjacency == {frozenset(p) for p in restaurant["adjacency"]}
    assert [b.ref for b in scenario.bookings] == [b["ref"] for b in raw["bookings"]]
    assert all(b.start_at.tzinfo is not None for b in scenario.bookings)


def test_scenario_files_are_found() -> None:
    """The parse test above has files to run on (at least the shipped sample)."""
    if not SAMPLE.exists():
        pytest.skip("no samples/ in this checkout")
    assert SAMPLE in scenario_files()


def test_optional_fields_take_their_defaults() -> None:
    """A table without min_party/combinable gets 1/true; a booking may carry duration_minutes."""
    document = sample()
    table = document["restaurant"]["tables"][0]
    del table["min_party"], table["combinable"]
    document["bookings"][0]["duration_minutes"] = 45
    scenario = parse_scenario(document)
    parsed = scenario.floor.table(table["key"])
    assert (parsed.min_party, parsed.combinable) == (1, True)
    assert scenario.bookings[0].duration_minutes == 45
    assert scenario.bookings[1].duration_minutes is None


def test_turn_rules_keep_the_file_order() -> None:
    """Rule 1 takes the first turn row that fits in file order, so parsing must not reorder rows."""
    document = sample()
    document["restaurant"]["policy"]["turn_minutes"] = [
        {"max_party": 6, "minutes": 120},
        {"max_party": 2, "minutes": 90},
    ]
    policy = parse_scenario(document).floor.policy
    assert policy.turn_for(2) == 120


def _table(document: Document, index: int) -> dict[str, Any]:
    table: dict[str, Any] = document["restaurant"]["tables"][index]
    return table


def _table_place(document: Document, index: int) -> str:
    return f"restaurant.tables[{index}] ({_table(document, index)['key']})"


def _unknown_zone(d: Document) -> str:
    _table(d, 0)["zone"] = "patio"
    return _table_place(d, 0) + ".zone"


def _adjacent_to_unknown(d: Document) -> str:
    d["restaurant"]["adjacency"].append([_table(d, 0)["key"], "NOPE9"])
    return f"restaurant.adjacency[{len(d['restaurant']['adjacency']) - 1}]"


def _self_adjacent(d: Document) -> str:
    key = _table(d, 1)["key"]
    d["restaurant"]["adjacency"].insert(0, [key, key])
    return "restaurant.adjacency[0]"


def _explosive_adjacency(d: Document) -> str:
    """Thirty more tables in one zone, all adjacent, eight per booking: far too many sets."""
    restaurant = d["restaurant"]
    zone = restaurant["tables"][0]["zone"]
    keys = [f"X{i}" for i in range(30)]
    restaurant["tables"] += [{"key": k, "zone": zone, "capacity": 2} for k in keys]
    restaurant["adjacency"] += [[a, b] for i, a in enumerate(keys) for b in keys[i + 1 :]]
    restaurant["policy"]["max_tables_per_booking"] = 8
    return "restaurant.policy.max_tables_per_booking"


def _zero_capacity(d: Document) -> str:
    _table(d, 1)["capacity"] = 0
    return _table_place(d, 1) + ".capacity"


def _min_party_over_capacity(d: Document) -> str:
    _table(d, 0).update(capacity=4, min_party=5)
    return _table_place(d, 0) + ".min_party"


def _duplicate_key(d: Document) -> str:
    _table(d, 3)["key"] = _table(d, 0)["key"]
    return "restaurant.tables[3].key"


def _unknown_version(d: Document) -> str:
    d["format"] = "seatflow.scenario/v9"
    return "format"


def _service_day_format(d: Document) -> str:
    d["format"] = "seatflow.scenario/v2"
    return "format"


def _missing_format(d: Document) -> str:
    del d["format"]
    return "format"


def _misspelt(path: tuple[str | int, ...], wrong: str) -> Callable[[Document], str]:
    """Rename the key at `path` to `wrong`, e.g. adjacency → adjacancy."""

    def mutate(d: Document) -> str:
        node: Any = d
        for step in path[:-1]:
            node = node[step]
        node[wrong] = node.pop(path[-1], None) if path[-1] in node else 2
        return _place(d, (*path[:-1], wrong))

    return mutate


def _v2_key(path: tuple[str | int, ...], value: Any) -> Callable[[Document], str]:
    """Add a key only seatflow.scenario/v2 (service days) has."""

    def mutate(d: Document) -> str:
        node: Any = d
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
        return _place(d, path)

    return mutate


def _missing(path: tuple[str | int, ...]) -> Callable[[Document], str]:
    """Delete the field at `path` and expect it named as restaurant.x / bookings[i].x."""

    def mutate(d: Document) -> str:
        node: Any = d
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]
        return _place(d, path)

    return mutate


def _place(d: Document, path: tuple[str | int, ...]) -> str:
    text = ""
    for i, step in enumerate(path):
        if isinstance(step, int):
            text += f"[{step}]"
            if path[i - 1] == "tables":
                text += f" ({_table(d, step)['key']})"
        else:
            text += f".{step}" if text else step
    return text


def _bad_slug(d: Document) -> str:
    d["restaurant"]["slug"] = "r 5!"
    return "restaurant.slug"


def _empty_table_key(d: Document) -> str:
    _table(d, 2)["key"] = ""
    return "restaurant.tables[2].key"


def _empty_zone_key(d: Document) -> str:
    d["restaurant"]["zones"][0]["key"] = ""
    return "restaurant.zones[0].key"


MALFORMED: list[tuple[str, Callable[[Document], str], str]] = [
    ("unknown-zone", _unknown_zone, "unknown zone 'patio'"),
    ("adjacent-to-unknown-table", _adjacent_to_unknown, "unknown table 'NOPE9'"),
    ("self-adjacency", _self_adjacent, "adjacent to itself"),
    ("capacity-below-1", _zero_capacity, "at least 1, got 0"),
    ("too-many-combinations", _explosive_adjacency, "more than 10,000 joined sets"),
    ("min-party-over-capacity", _min_party_over_capacity, "min_party 5 exceeds capacity 4"),
    ("min-party-zero", _v2_key(("restaurant", "tables", 2, "min_party"), 0), "at least 1, got 0"),
    ("duplicate-table-key", _duplicate_key, "duplicate table key"),
    ("unknown-format-version", _unknown_version, "unknown format version 'seatflow.scenario/v9'"),
    ("service-day-format", _service_day_format, "seatflow.scenario/v2 (service days) cannot be"),
    ("missing-format", _missing_format, "is required"),
    ("misspelt-adjacency", _misspelt(("restaurant", "adjacency"), "adjacancy"), "'adjacency'?"),
    (
        "misspelt-combinable",
        _misspelt(("restaurant", "tables", 0, "combinable"), "combinible"),
        "did you mean 'combinable'?",
    ),
    (
        "misspelt-min-party",
        _misspelt(("restaurant", "tables", 1, "min_party"), "min_pary"),
        "did you mean 'min_party'?",
    ),
    ("v2-service-periods", _v2_key(("restaurant", "service_periods"), []), "scenario/v2"),
    ("v2-policy-grace", _v2_key(("restaurant", "policy", "no_show_grace_minutes"), 15), "v2"),
    ("v2-booking-source", _v2_key(("bookings", 2, "source"), "phone"), "scenario/v2"),
    ("v2-events", _v2_key(("events",), []), "scenario/v2"),
    ("timezone-not-iana", _v2_key(("restaurant", "timezone"), "Mars/Olympus"), "IANA"),
    ("float-capacity", _v2_key(("restaurant", "tables", 0, "capacity"), 4.0), "an integer"),
    ("string-party", _v2_key(("bookings", 0, "party_size"), "4"), "an integer"),
    ("negative-buffer", _v2_key(("restaurant", "policy", "buffer_minutes"), -5), "at least 0"),
    ("nine-tables", _v2_key(("restaurant", "policy", "max_tables_per_booking"), 9), "at most 8"),
    ("naive-start", _v2_key(("bookings", 1, "start_at"), "2026-12-05T19:00:00"), "UTC offset"),
    ("zero-turn", _v2_key(("restaurant", "policy", "turn_minutes", 0, "minutes"), 0), "at least 1"),
    ("missing-restaurant", _missing(("restaurant",)), "is required"),
    ("missing-slug", _missing(("restaurant", "slug")), "is required"),
    ("missing-policy", _missing(("restaurant", "policy")), "is required"),
    ("missing-turn-rules", _missing(("restaurant", "policy", "turn_minutes")), "is required"),
    ("missing-zones", _missing(("restaurant", "zones")), "is required"),
    ("missing-tables", _missing(("restaurant", "tables")), "is required"),
    ("missing-table-capacity", _missing(("restaurant", "tables", 2, "capacity")), "is required"),
    ("missing-table-zone", _missing(("restaurant", "tables", 0, "zone")), "is required"),
    ("missing-booking-start", _missing(("bookings", 0, "start_at")), "is required"),
    ("missing-booking-party", _missing(("bookings", 4, "party_size")), "is required"),
    ("slug-the-database-refuses", _bad_slug, "'r 5!'"),
    ("empty-table-key", _empty_table_key, "must not be empty"),
    ("empty-zone-key", _empty_zone_key, "must not be empty"),
]


@pytest.mark.parametrize(
    ("mutate", "reason"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_scenario_names_field_and_reason(
    mutate: Callable[[Document], str], reason: str
) -> None:
    """A variant of the sample with one mistake raises InvalidDocument naming it first — its place
    and its reason — and nothing else unless the mistake breaks what refers to it (a table key
    duplicated loses the original key its adjacency pairs still name)."""
    document = sample()
    field = mutate(document)
    with pytest.raises(InvalidDocument) as caught:
        parse_scenario(document)
    assert caught.value.field == field
    assert reason in caught.value.reason
    first, *others = str(caught.value).splitlines()
    assert first == f"{field}: {caught.value.reason}"
    assert all("adjacency to unknown table" in line for line in others)


def test_every_problem_is_reported_at_once() -> None:
    """Misspelt keys, a bad capacity, an unknown zone and a duplicate ref in one file are all
    named together, each with its path — the first is not the only one."""
    document = sample()
    restaurant = document["restaurant"]
    restaurant["adjacancy"] = restaurant.pop("adjacency")
    _table(document, 0)["combinible"] = _table(document, 0).pop("combinable")
    _table(document, 1)["min_pary"] = 2
    _table(document, 3)["capacity"] = 0
    _table(document, 4)["zone"] = "patio"
    document["bookings"][1]["ref"] = document["bookings"][0]["ref"]
    with pytest.raises(InvalidDocument) as caught:
        parse_scenario(document)
    paths = [path for path, _ in caught.value.problems]
    assert sorted(paths) == sorted(
        [
            "restaurant.adjacancy",
            _table_place(document, 0) + ".combinible",
            _table_place(document, 1) + ".min_pary",
            _table_place(document, 3) + ".capacity",
            _table_place(document, 4) + ".zone",
            "bookings[1].ref",
        ]
    )
    assert str(caught.value).splitlines() == [f"{p}: {r}" for p, r in caught.value.problems]


def test_a_floor_alone_statements_with_paths_relative_to_it() -> None:
    """parse_restaurant with no root (the API's body) names fields from the floor itself, and
    the floor itself as `body`."""
    document = sample()
    _table(document, 0)["capacity"] = 0
    key = _table(document, 0)["key"]
    with pytest.raises(InvalidDocument) as caught:
        parse_restaurant(document["restaurant"], root="")
    assert caught.value.problems == ((f"tables[0] ({key}).capacity", "must be at least 1, got 0"),)
    with pytest.raises(InvalidDocument, match="^body: must be an object"):
        parse_restaurant([], root="")


def test_text_that_is_not_json_is_rejected() -> None:
    """parse_scenario_text turns a JSON syntax error into InvalidScenario on the file."""
    with pytest.raises(InvalidScenario) as caught:
        parse_scenario_text(_sample_text()[:200])
    assert caught.value.field == "file"
    assert "not JSON" in caught.value.reason
    assert "line" in caught.value.reason


@pytest.mark.parametrize("document", [[], "scenario", 3, None])
def test_document_that_is_not_an_object_is_rejected(document: Any) -> None:
    """A JSON value other than an object is rejected as a whole file."""
    with pytest.raises(InvalidScenario, match="must be a JSON object"):
        parse_scenario(document)


def test_wrong_type_names_expected_kind() -> None:
    """A boolean where an integer belongs is refused, not read as 1."""
    document = sample()
    _table(document, 0)["capacity"] = True
    with pytest.raises(InvalidScenario, match="must be an integer, got True"):
        parse_scenario(document)


def test_invalid_scenario_is_invalid_input() -> None:
    """InvalidScenario sits under InvalidInput, so the CLI maps it to a usage error."""
    assert issubclass(InvalidScenario, InvalidInput)
    assert sample()["format"] == SCENARIO_FORMAT
