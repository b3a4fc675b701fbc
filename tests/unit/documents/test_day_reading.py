"""Reading seatflow.scenario/v2 (service day) documents: the shared day files load; a bad one is
refused naming the field; either format is read by its `format`; service rules alone round-trip."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from seatflow.documents import (
    parse_document,
    parse_document_text,
    parse_scenario_text,
    parse_service_rules,
    restaurant_rules,
    service_rules_document,
)
from seatflow.domain.scenario import Scenario
from seatflow.domain.service_day import Modify, ServiceDay, Source, TableOut
from seatflow.errors import InvalidDocument
from support.scenarios import day_files

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "samples" / "dev-05-t24-l0.8.json"

Document = dict[str, Any]


@cache
def _day_text() -> str:
    files = day_files()
    if not files:
        pytest.skip("no shared/days beside this checkout")
    return files[0].read_text()


def day() -> Document:
    """A fresh, mutable copy of the first shared service day."""
    document: Document = json.loads(_day_text())
    return copy.deepcopy(document)


@pytest.mark.parametrize("path", day_files(), ids=lambda p: p.name)
def test_every_day_file_parses(path: Path) -> None:
    """Each shared day parses into a ServiceDay matching its JSON: rules, bookings, events."""
    raw = json.loads(path.read_text())
    parsed = parse_document_text(path.read_text())
    assert isinstance(parsed, ServiceDay)
    restaurant = raw["restaurant"]
    assert parsed.name == raw["name"]
    assert parsed.rules.timezone == restaurant["timezone"] == parsed.floor.timezone
    assert [p.key for p in parsed.rules.periods] == [
        p["key"] for p in restaurant["service_periods"]
    ]
    assert [c.date.isoformat() for c in parsed.rules.closures] == [
        c["date"] for c in restaurant["closures"]
    ]
    assert [b.ref for b in parsed.bookings] == [b["ref"] for b in raw["bookings"]]
    assert [b.source for b in parsed.bookings] == [
        b.get("source", "online") for b in raw["bookings"]
    ]
    assert [e.kind for e in parsed.events] == [e["type"] for e in raw["events"]]
    assert [e.at for e in parsed.events] == sorted(e.at for e in parsed.events)


def test_events_become_domain_events() -> None:
    """A table_out's `from` is its start; a modify keeps only what it changes."""
    parsed = parse_document(day())
    assert isinstance(parsed, ServiceDay)
    outs = [e for e in parsed.events if isinstance(e, TableOut)]
    assert outs and all(e.until > e.start for e in outs)
    modifies = [e for e in parsed.events if isinstance(e, Modify)]
    assert modifies and all(e.party_size is not None or e.start_at is not None for e in modifies)
    assert Source.WALK_IN in {b.source for b in parsed.bookings}


def test_a_v1_document_still_reads_as_a_scenario() -> None:
    """parse_document reads v1 as before; parse_scenario_text still refuses v2 (its callers want
    a Scenario)."""
    if not SAMPLE.exists():
        pytest.skip("no samples/ in this checkout")
    parsed = parse_document_text(SAMPLE.read_text())
    assert isinstance(parsed, Scenario)
    assert all(b.source == "online" for b in parsed.bookings)
    with pytest.raises(InvalidDocument, match="^format: seatflow.scenario/v2"):
        parse_scenario_text(_day_text())


def _set(path: tuple[str | int, ...], value: Any) -> Callable[[Document], None]:
    def mutate(d: Document) -> None:
        node: Any = d
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


def _first(d: Document, kind: str) -> int:
    return next(i for i, e in enumerate(d["events"]) if e["type"] == kind)


def _event_ref(d: Document) -> str:
    i = _first(d, "cancel")
    d["events"][i]["ref"] = "R9999"
    return f"events[{i}].ref"


def _table_out_table(d: Document) -> str:
    i = _first(d, "table_out")
    d["events"][i]["table"] = "NOPE"
    return f"events[{i}].table"


def _table_out_window(d: Document) -> str:
    i = _first(d, "table_out")
    d["events"][i]["until"] = d["events"][i]["from"]
    return f"events[{i}].until"


def _unsorted(d: Document) -> str:
    d["events"][1]["at"] = "2026-01-01T00:00:00Z"
    return "events[1].at"


def _walk_in_requested_early(d: Document) -> str:
    i = next(i for i, b in enumerate(d["bookings"]) if b["source"] == "walk_in")
    d["bookings"][i]["requested_at"] = "2026-01-01T00:00:00Z"
    return f"bookings[{i}].requested_at"


def _empty_modify(d: Document) -> str:
    i = _first(d, "modify")
    d["events"][i].pop("party_size", None)
    d["events"][i].pop("start_at", None)
    return f"events[{i}]"


def _unknown_event_type(d: Document) -> str:
    d["events"][0]["type"] = "explode"
    return "events[0].type"


def _event_without_ref(d: Document) -> str:
    i = _first(d, "arrive")
    del d["events"][i]["ref"]
    return f"events[{i}].ref"


def _event_extra_key(d: Document) -> str:
    i = _first(d, "arrive")
    d["events"][i]["source"] = "phone"
    return f"events[{i}].source"


def _period(i: int, key: str, value: Any) -> Callable[[Document], str]:
    def mutate(d: Document) -> str:
        d["restaurant"]["service_periods"][i][key] = value
        return f"restaurant.service_periods[{i}].{key}"

    return mutate


def _weekday(d: Document) -> str:
    d["restaurant"]["service_periods"][0]["weekdays"] = [1, 8]
    return "restaurant.service_periods[0].weekdays[1]"


def _at(path: str, mutate: Callable[[Document], None]) -> Callable[[Document], str]:
    def run(d: Document) -> str:
        mutate(d)
        return path

    return run


MALFORMED: list[tuple[str, Callable[[Document], str], str]] = [
    ("event-ref", _event_ref, "unknown booking ref 'R9999'"),
    ("table-out-table", _table_out_table, "unknown table 'NOPE'"),
    ("table-out-window", _table_out_window, "must be after from"),
    ("events-unsorted", _unsorted, "sorted by at"),
    ("walk-in-requested", _walk_in_requested_early, "walk-in is requested when it starts"),
    ("modify-nothing", _empty_modify, "party_size and/or start_at"),
    ("event-type", _unknown_event_type, "must be one of 'cancel'"),
    ("event-missing-ref", _event_without_ref, "is required"),
    ("event-extra-key", _event_extra_key, "expected one of type, at, ref"),
    ("weekday-8", _weekday, "at most 7"),
    ("time-format", _period(0, "first_seating", "5pm"), '"HH:MM"'),
    ("time-24", _period(0, "last_seating", "24:00"), '"HH:MM"'),
    ("last-before-first", _period(1, "last_seating", "16:00"), "before first_seating 17:00"),
    ("period-key-twice", _period(1, "key", "lunch"), "duplicate service period key"),
    (
        "pacing-slot",
        _at(
            "restaurant.service_periods[0].pacing.slot_minutes",
            _set(("restaurant", "service_periods", 0, "pacing", "slot_minutes"), 0),
        ),
        "at least 1",
    ),
    (
        "closure-date",
        _at("restaurant.closures[0].date", _set(("restaurant", "closures", 0, "date"), "25/12")),
        '"YYYY-MM-DD"',
    ),
    (
        "source",
        _at("bookings[0].source", _set(("bookings", 0, "source"), "fax")),
        "must be 'online', 'phone' or 'walk_in'",
    ),
    (
        "overstay-step",
        _at(
            "restaurant.policy.overstay_step_minutes",
            _set(("restaurant", "policy", "overstay_step_minutes"), 0),
        ),
        "at least 1",
    ),
    (
        "grace",
        _at(
            "restaurant.policy.no_show_grace_minutes",
            _set(("restaurant", "policy", "no_show_grace_minutes"), -1),
        ),
        "at least 0",
    ),
    (
        "unknown-format",
        _at("format", _set(("format",), "seatflow.scenario/v3")),
        "want 'seatflow.scenario/v1' or 'seatflow.scenario/v2'",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "reason"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_day_names_field_and_reason(
    mutate: Callable[[Document], str], reason: str
) -> None:
    """A variant of a day file with one mistake is refused naming its place and reason, alone."""
    document = day()
    field = mutate(document)
    with pytest.raises(InvalidDocument) as caught:
        parse_document(document)
    assert caught.value.problems[0][0] == field, caught.value
    assert reason in caught.value.reason
    assert len(caught.value.problems) == 1, caught.value


def test_missing_format_lists_both() -> None:
    """A document without `format` is told the two it may be."""
    document = day()
    del document["format"]
    with pytest.raises(InvalidDocument, match="'seatflow.scenario/v1' or 'seatflow.scenario/v2'"):
        parse_document(document)


RULES_BODY: Document = {
    "service_periods": [
        {
            "key": "dinner",
            "weekdays": [5, 6],
            "first_seating": "18:00",
            "last_seating": "22:00",
            "pacing": {"slot_minutes": 15, "max_covers": 20},
        }
    ],
    "closures": [{"date": "2026-12-25", "reason": "Christmas Day"}],
    "no_show_grace_minutes": 10,
}


def test_service_rules_body_reads_and_round_trips() -> None:
    """The rules body becomes ServiceRules in the floor's zone; its document reads back equal."""
    rules = parse_service_rules(RULES_BODY, timezone="Europe/Paris")
    assert rules.timezone == "Europe/Paris"
    assert rules.periods[0].first_seating == time(18, 0)
    assert rules.periods[0].weekdays == frozenset({5, 6})
    assert rules.closures[0].date == date(2026, 12, 25)
    assert (rules.no_show_grace_minutes, rules.overstay_step_minutes) == (10, 15)
    dumped = service_rules_document(rules).model_dump(mode="json")
    assert dumped["service_periods"][0]["first_seating"] == "18:00"
    assert parse_service_rules(dumped, timezone="UTC") == rules


def test_service_rules_body_timezone_wins() -> None:
    """A body that names its time zone is read in it."""
    rules = parse_service_rules({**RULES_BODY, "timezone": "Asia/Tokyo"}, timezone="UTC")
    assert rules.timezone == "Asia/Tokyo"


def test_service_rules_body_problems_name_the_field() -> None:
    """Paths in the body start at its root, or at the body itself with no root."""
    body = copy.deepcopy(RULES_BODY)
    body["service_periods"][0]["last_seating"] = "17:00"
    with pytest.raises(InvalidDocument) as caught:
        parse_service_rules(body, timezone="UTC")
    assert caught.value.field == "service_rules.service_periods[0].last_seating"
    with pytest.raises(InvalidDocument) as caught:
        parse_service_rules({"periods": []}, timezone="UTC", root="")
    assert caught.value.field == "periods"
    assert "did you mean 'service_periods'?" in caught.value.reason


def test_restaurant_rules_reads_a_v2_restaurant() -> None:
    """restaurant_rules takes a v2 restaurant object, policy's grace and step included."""
    document = day()
    document["restaurant"]["policy"]["overstay_step_minutes"] = 20
    rules = restaurant_rules(document["restaurant"])
    assert rules.overstay_step_minutes == 20
    assert rules.timezone == document["restaurant"]["timezone"]
    assert [p.key for p in rules.periods] == ["lunch", "dinner"]
