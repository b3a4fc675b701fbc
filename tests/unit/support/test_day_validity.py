"""The independent v2 result judge: a hand-checked valid day passes, and each broken rule is
caught with a sentence naming it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.day_validity import problems
from support.scenarios import day_files

Json = dict[str, Any]

SCENARIO: Json = {
    "format": "seatflow.scenario/v2",
    "name": "tiny",
    "restaurant": {
        "slug": "tiny",
        "timezone": "Europe/London",
        "policy": {
            "turn_minutes": [{"max_party": 2, "minutes": 90}, {"max_party": 99, "minutes": 120}],
            "buffer_minutes": 15,
            "max_tables_per_booking": 3,
        },
        "service_periods": [
            {
                "key": "dinner",
                "weekdays": [1, 2, 3, 4, 5, 6, 7],
                "first_seating": "17:00",
                "last_seating": "21:30",
                "turn_minutes": None,
                "pacing": {"slot_minutes": 30, "max_covers": 6, "max_parties": 2},
            }
        ],
        "closures": [{"date": "2026-12-25", "reason": "Christmas Day"}],
        "zones": [{"key": "main"}, {"key": "terrace"}],
        "tables": [
            {"key": "A", "zone": "main", "capacity": 2},
            {"key": "B", "zone": "main", "capacity": 2},
            {"key": "C", "zone": "terrace", "capacity": 4, "min_party": 3},
            {"key": "D", "zone": "main", "capacity": 2, "combinable": False},
            {"key": "E", "zone": "main", "capacity": 2},
        ],
        "adjacency": [["A", "B"], ["B", "D"]],
    },
    "bookings": [
        {
            "ref": "R1",
            "requested_at": "2026-12-01T10:00:00Z",
            "start_at": "2026-12-05T19:00:00Z",
            "party_size": 2,
        },
        {
            "ref": "R2",
            "requested_at": "2026-12-01T11:00:00Z",
            "start_at": "2026-12-05T19:00:00Z",
            "party_size": 4,
        },
        {
            "ref": "R3",
            "requested_at": "2026-12-05T20:45:00Z",
            "start_at": "2026-12-05T20:45:00Z",
            "party_size": 2,
            "source": "walk_in",
        },
        {
            "ref": "R4",
            "requested_at": "2026-12-01T12:00:00Z",
            "start_at": "2026-12-05T18:00:00Z",
            "party_size": 3,
        },
        {
            "ref": "R5",
            "requested_at": "2026-12-01T13:00:00Z",
            "start_at": "2026-12-05T12:00:00Z",
            "party_size": 2,
        },
        {
            "ref": "R6",
            "requested_at": "2026-12-01T14:00:00Z",
            "start_at": "2026-12-05T19:30:00Z",
            "party_size": 2,
            "source": "phone",
        },
    ],
    "events": [
        {"at": "2026-12-03T09:00:00Z", "type": "cancel", "ref": "R4"},
        {"at": "2026-12-05T18:55:00Z", "type": "arrive", "ref": "R1"},
        {"at": "2026-12-05T19:05:00Z", "type": "arrive", "ref": "R2"},
        {"at": "2026-12-05T20:20:00Z", "type": "depart", "ref": "R1"},
        {"at": "2026-12-05T21:00:00Z", "type": "depart", "ref": "R2"},
        {"at": "2026-12-05T22:10:00Z", "type": "depart", "ref": "R3"},
    ],
}


def _entry(ref: str, outcome: str, start: str, party: int, **more: Any) -> Json:
    entry = {"ref": ref, "outcome": outcome, "tables": [], "start_at": start, "party_size": party}
    entry.update({"seated_at": None, "left_at": None, "moves": 0, "reason": None}, **more)
    return entry


RESULT: Json = {
    "format": "seatflow.result/v2",
    "assignments": [
        _entry(
            "R1",
            "served",
            "2026-12-05T19:00:00Z",
            2,
            tables=["A"],
            seated_at="2026-12-05T19:00:00Z",
            left_at="2026-12-05T20:20:00Z",
        ),
        _entry(
            "R2",
            "served",
            "2026-12-05T19:00:00Z",
            4,
            tables=["C"],
            seated_at="2026-12-05T19:05:00Z",
            left_at="2026-12-05T21:00:00Z",
        ),
        _entry(
            "R3",
            "served",
            "2026-12-05T20:45:00Z",
            2,
            tables=["A"],
            seated_at="2026-12-05T20:45:00Z",
            left_at="2026-12-05T22:10:00Z",
        ),
        _entry("R4", "cancelled", "2026-12-05T18:00:00Z", 3),
        _entry("R5", "rejected", "2026-12-05T12:00:00Z", 2, reason="outside_service_hours"),
        _entry("R6", "no_show", "2026-12-05T19:30:00Z", 2, tables=["B"]),
    ],
    "summary": {
        "covers_requested": 15,
        "covers_served": 8,
        "walk_in_covers_served": 2,
        "displaced_covers": 0,
        "moves": 0,
        "modifications_accepted": 0,
        "modifications_refused": 0,
        "rejected": {"outside_service_hours": 1},
    },
}


def test_the_valid_day_passes() -> None:
    """The hand-checked day breaks no rule."""
    assert problems(SCENARIO, RESULT) == []


def _entry_of(result: Json, ref: str) -> Json:
    found: Json = next(e for e in result["assignments"] if e["ref"] == ref)
    return found


def _update(ref: str, **fields: Any) -> Callable[[Json, Json], None]:
    def mutate(_: Json, result: Json) -> None:
        _entry_of(result, ref).update(fields)

    return mutate


def _wrong_format(_: Json, result: Json) -> None:
    result["format"] = "seatflow.result/v1"


def _twice(_: Json, result: Json) -> None:
    result["assignments"].append(copy.deepcopy(result["assignments"][0]))


def _missing(_: Json, result: Json) -> None:
    result["assignments"].pop()


def _tighter_pacing(scenario: Json, _: Json) -> None:
    scenario["restaurant"]["service_periods"][0]["pacing"]["max_covers"] = 5


def _fewer_parties(scenario: Json, _: Json) -> None:
    scenario["restaurant"]["service_periods"][0]["pacing"]["max_parties"] = 1


def _table_out(scenario: Json, _: Json) -> None:
    out = {"at": "2026-12-05T20:00:00Z", "type": "table_out", "table": "A"}
    out.update({"from": "2026-12-05T21:50:00Z", "until": "2026-12-05T23:00:00Z"})
    scenario["events"].insert(3, out)


def _summary(**fields: Any) -> Callable[[Json, Json], None]:
    def mutate(_: Json, result: Json) -> None:
        result["summary"].update(fields)

    return mutate


BROKEN: list[tuple[str, Callable[[Json, Json], None], str]] = [
    ("format", _wrong_format, "format is 'seatflow.result/v1'"),
    ("assigned-twice", _twice, "R1: assigned more than once"),
    ("no-assignment", _missing, "R6: no assignment"),
    ("unknown-outcome", _update("R6", outcome="lost"), "unknown outcome 'lost'"),
    ("unknown-reason", _update("R5", reason="full"), "unknown reason 'full'"),
    ("table-too-small", _update("R2", tables=["A"]), "table A seats 1-2"),
    ("under-min-party", _update("R1", tables=["C"]), "table C seats 3-4"),
    ("zones", _update("R2", tables=["A", "C"]), "span zones"),
    ("not-combinable", _update("R2", tables=["B", "D"]), "not all combinable"),
    ("not-adjacent", _update("R2", tables=["A", "E"]), "not connected"),
    ("unknown-table", _update("R1", tables=["Z"]), "unknown tables ['Z']"),
    ("no-seated-at", _update("R1", seated_at=None), "without seated_at"),
    ("seated-early", _update("R1", seated_at="2026-12-05T18:50:00Z"), "before start_at"),
    ("after-last-seating", _update("R3", seated_at="2026-12-05T21:45:00Z"), "outside every"),
    ("overlap", _update("R1", left_at="2026-12-05T20:40:00Z"), "R1 and R3 overlap on table A"),
    ("pacing-covers", _tighter_pacing, "6 covers > 5"),
    ("pacing-parties", _fewer_parties, "2 parties > 1"),
    ("party-never-asked", _update("R2", party_size=3), "party_size 3 was never asked for"),
    ("start-never-asked", _update("R6", start_at="2026-12-05T20:00:00Z"), "never asked for"),
    ("cancel-without-event", _update("R6", outcome="cancelled"), "without a cancel event"),
    ("displaced-without-arrival", _update("R6", outcome="displaced"), "without an arrive"),
    ("served-without-arrival", _update("R6", outcome="served"), "without an arrive event"),
    ("table-out", _table_out, "into its table_out window"),
    ("covers-served", _summary(covers_served=6), "summary.covers_served is 6"),
    ("walk-in-covers", _summary(walk_in_covers_served=0), "walk_in_covers_served"),
    ("covers-requested", _summary(covers_requested=13), "covers_requested"),
    ("moves", _summary(moves=2), "summary.moves"),
    ("rejected", _summary(rejected={"pacing": 1}), "summary.rejected"),
    ("modifications", _summary(modifications_accepted=1), "the file has 0"),
]


@pytest.mark.parametrize(("mutate", "says"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_each_broken_rule_is_caught(mutate: Callable[[Json, Json], None], says: str) -> None:
    """One rule broken in a copy of the valid day is reported, in words naming it."""
    scenario, result = copy.deepcopy(SCENARIO), copy.deepcopy(RESULT)
    mutate(scenario, result)
    found = problems(scenario, result)
    assert any(says in p for p in found), found


def test_a_closure_is_caught() -> None:
    """A guest seated on a closure's local date is reported."""
    scenario, result = copy.deepcopy(SCENARIO), copy.deepcopy(RESULT)
    scenario["restaurant"]["closures"][0]["date"] = "2026-12-05"
    assert any("R1: seated at" in p and "on a closure" in p for p in problems(scenario, result))


def test_an_accepted_modification_is_counted() -> None:
    """A final party that a modify event asked for is fine only if the summary counts it."""
    scenario, result = copy.deepcopy(SCENARIO), copy.deepcopy(RESULT)
    scenario["events"].insert(
        0, {"at": "2026-12-02T09:00:00Z", "type": "modify", "ref": "R6", "party_size": 1}
    )
    _entry_of(result, "R6")["party_size"] = 1
    assert any("modifications_accepted 0 < 1" in p for p in problems(scenario, result))
    result["summary"]["modifications_accepted"] = 1
    assert problems(scenario, result) == []


@pytest.mark.parametrize("path", day_files(), ids=lambda p: p.name)
def test_a_day_that_turns_everyone_away_is_valid(path: Path) -> None:
    """On each shared day, rejecting every request breaks nothing (the judge reads real files)."""
    scenario = json.loads(path.read_text())
    bookings = scenario["bookings"]
    result = {
        "format": "seatflow.result/v2",
        "assignments": [
            _entry(b["ref"], "rejected", b["start_at"], b["party_size"], reason="no_availability")
            for b in bookings
        ],
        "summary": {
            "covers_requested": sum(b["party_size"] for b in bookings),
            "covers_served": 0,
            "walk_in_covers_served": 0,
            "displaced_covers": 0,
            "moves": 0,
            "modifications_accepted": 0,
            "modifications_refused": 0,
            "rejected": {"no_availability": len(bookings)},
        },
    }
    assert problems(scenario, result) == []
