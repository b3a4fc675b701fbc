"""Scenario files for tests, and an independent checker of the seating rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO.parent / "shared" / "scenarios"
DAYS = REPO.parent / "shared" / "days"
SAMPLES = REPO / "samples"


def scenario_files() -> list[Path]:
    """The shared scenarios when the checkout sits beside shared/, else the shipped sample."""
    files = sorted(SCENARIOS.glob("dev-*.json"))
    return files or sorted(SAMPLES.glob("dev-*.json"))


def day_files() -> list[Path]:
    """The shared service days when the checkout sits beside shared/, else the shipped one
    (day-04, a copy), so no day test is ever skipped for want of a file."""
    files = sorted(DAYS.glob("day-*.json"))
    return files or sorted(SAMPLES.glob("day-*.json"))


def independent_violations(scenario: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """Check a seatflow.result/v1 against the seating rules, written from the rules text alone
    (scenario-format.md) and sharing no code with the engines it judges."""
    restaurant = scenario["restaurant"]
    policy = restaurant["policy"]
    tables = {t["key"]: t for t in restaurant["tables"]}
    neighbours: dict[str, set[str]] = {key: set() for key in tables}
    for a, b in restaurant.get("adjacency", []):
        neighbours[a].add(b)
        neighbours[b].add(a)
    requests = {b["ref"]: b for b in scenario["bookings"]}
    problems: list[str] = []
    refs = [a["ref"] for a in result["assignments"]]
    if sorted(refs) != sorted(requests):
        problems.append("result does not list every booking exactly once")
    windows: dict[str, list[tuple[datetime, datetime, str]]] = {key: [] for key in tables}
    for entry in result["assignments"]:
        if entry["outcome"] != "confirmed":
            continue
        request = requests[entry["ref"]]
        party, chosen = request["party_size"], entry["tables"]
        turn = request.get("duration_minutes") or next(
            r["minutes"] for r in policy["turn_minutes"] if r["max_party"] >= party
        )
        start = datetime.fromisoformat(request["start_at"])
        end = start + timedelta(minutes=turn + policy["buffer_minutes"])
        if not 1 <= len(chosen) <= policy["max_tables_per_booking"] or len(set(chosen)) != len(
            chosen
        ):
            problems.append(f"{entry['ref']}: {len(chosen)} tables")
            continue
        if len(chosen) == 1:
            table = tables[chosen[0]]
            if not table.get("min_party", 1) <= party <= table["capacity"]:
                problems.append(f"{entry['ref']}: {chosen[0]} cannot seat {party}")
        else:
            members = [tables[key] for key in chosen]
            if not all(t.get("combinable", True) for t in members):
                problems.append(f"{entry['ref']}: joins a non-combinable table")
            if len({t["zone"] for t in members}) != 1:
                problems.append(f"{entry['ref']}: spans zones")
            if sum(t["capacity"] for t in members) < party:
                problems.append(f"{entry['ref']}: too few seats")
            reached, frontier = {chosen[0]}, [chosen[0]]
            while frontier:
                for other in neighbours[frontier.pop()] & set(chosen):
                    if other not in reached:
                        reached.add(other)
                        frontier.append(other)
            if reached != set(chosen):
                problems.append(f"{entry['ref']}: tables not connected")
        for key in chosen:
            windows[key].append((start, end, entry["ref"]))
    for key, spans in windows.items():
        spans.sort()
        for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
            if start < end:
                problems.append(f"table {key} double-booked by {first} and {second}")
    return problems
