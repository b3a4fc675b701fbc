"""Planner-only quality benchmark: covers seated by V3 and legacy against the scenario ceilings.

Each scenario's bookings arrive in ``requested_at`` order. A booking is accepted when the
planner returns a plan (re-pack moves are applied to the earlier bookings, which all stay
movable) and rejected otherwise. No database: this measures placement quality alone.

    .venv/bin/python benchmarks/planner_quality.py [SCENARIO_DIR] [--budget-ms 2000]

Exits non-zero when V3 misses the target (mean covers/repack >= 0.99, none below 0.97) or when
the independent checker finds an invalid assignment.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from seatflow.documents import parse_scenario_text
from seatflow.domain.floor import FloorPlan
from seatflow.domain.scenario import Scenario
from seatflow.planning.engine import plan_v3
from seatflow.planning.legacy import plan_legacy
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "scenarios"
MEAN_TARGET = 0.99
FLOOR_TARGET = 0.97

Planner = Callable[[FloorPlan, PlanRequest, Sequence[Occupant]], Plan | PlanFailure]


@dataclass(slots=True)
class Run:
    """One pipeline over one scenario: what it seated and how re-packing behaved."""

    covers: int = 0
    accepted: int = 0
    repacks: int = 0
    moves: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    repack_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def simulate(scenario: Scenario, planner: Planner) -> Run:
    """Feed the stream to a planner, keeping occupancy as accepted bookings and their moves."""
    floor = scenario.floor
    occupants: dict[str, Occupant] = {}
    run = Run()
    for booking in scenario.bookings:
        start, end = floor.policy.occupancy(
            booking.start_at, booking.party_size, booking.duration_minutes
        )
        request = PlanRequest(
            booking_id=booking.ref,
            party_size=booking.party_size,
            start=start,
            end=end,
            zone_preference=booking.zone_preference,
        )
        began = time.perf_counter()
        result = planner(floor, request, tuple(occupants.values()))
        elapsed = (time.perf_counter() - began) * 1000
        if went_to_repack(result):
            run.repack_ms.append(elapsed)
        if isinstance(result, PlanFailure):
            run.failures[result.reason] = run.failures.get(result.reason, 0) + 1
            continue
        if result.strategy == "repack":
            run.repacks += 1
            run.moves += len(result.moves)
        for move in result.moves:
            occupants[move.booking_id] = replace(occupants[move.booking_id], tables=move.to_tables)
        occupants[booking.ref] = Occupant(
            booking_id=booking.ref,
            party_size=booking.party_size,
            start=start,
            end=end,
            tables=result.tables,
            movable=True,
            zone_preference=booking.zone_preference,
        )
        run.accepted += 1
        run.covers += booking.party_size
    run.problems = check_assignments(floor, list(occupants.values()))
    return run


def went_to_repack(result: Plan | PlanFailure) -> bool:
    """Whether V3 had to search (nothing fitted directly and the party is not too large)."""
    if isinstance(result, PlanFailure):
        return result.reason in ("no_capacity", "repack_timeout")
    return result.strategy == "repack"


def check_assignments(floor: FloorPlan, placed: Sequence[Occupant]) -> list[str]:
    """Independently re-check the seating rules and that no table is double-booked."""
    problems = [f"{o.booking_id}: {why}" for o in placed if (why := _seating_problem(floor, o))]
    by_table: dict[str, list[Occupant]] = {}
    for occupant in placed:
        for key in occupant.tables:
            by_table.setdefault(key, []).append(occupant)
    for key, users in by_table.items():
        users.sort(key=lambda o: o.start)
        for a, b in zip(users, users[1:], strict=False):
            if b.start < a.end:
                problems.append(f"table {key} double-booked by {a.booking_id} and {b.booking_id}")
    return problems


def _seating_problem(floor: FloorPlan, occupant: Occupant) -> str | None:
    tables = {t.key: t for t in floor.tables}
    keys = list(occupant.tables)
    if not keys or len(set(keys)) != len(keys) or any(k not in tables for k in keys):
        return "no tables, repeated tables or unknown tables"
    if len(keys) == 1:
        table = tables[keys[0]]
        ok = table.min_party <= occupant.party_size <= table.capacity
        return None if ok else "single table does not fit the party"
    if len(keys) > floor.policy.max_tables_per_booking:
        return "too many tables"
    if not all(tables[k].combinable for k in keys):
        return "a table is not combinable"
    if len({tables[k].zone for k in keys}) != 1:
        return "tables span zones"
    if sum(tables[k].capacity for k in keys) < occupant.party_size:
        return "not enough seats"
    reached, frontier = {keys[0]}, [keys[0]]
    while frontier:
        here = frontier.pop()
        for pair in floor.adjacency:
            if here in pair:
                (other,) = pair - {here}
                if other in keys and other not in reached:
                    reached.add(other)
                    frontier.append(other)
    return None if len(reached) == len(keys) else "tables not connected"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--budget-ms", type=int, default=2000)
    args = parser.parse_args(argv)
    ceilings = json.loads((args.directory / "ceilings.json").read_text())
    pipelines: dict[str, Planner] = {
        "v3": lambda f, r, o: plan_v3(f, r, o, repack_budget_ms=args.budget_ms),
        "legacy": plan_legacy,
    }
    header = (
        f"{'scenario':<18}{'repack':>7}{'optimum':>8}{'v3':>6}{'v3/rp':>7}{'v3/opt':>7}"
        f"{'legacy':>7}{'lg/rp':>7}{'lg/opt':>7}{'rp ok/calls':>12}{'moves':>6}{'rp max ms':>10}"
        f"{'v3 fails':>22}"
    )
    print(header)
    ratios: dict[str, list[float]] = {name: [] for name in pipelines}
    invalid = 0
    for path in sorted(args.directory.glob("dev-*.json")):
        scenario = parse_scenario_text(path.read_text())
        ceiling = ceilings[scenario.name]
        runs = {name: simulate(scenario, planner) for name, planner in pipelines.items()}
        for name, run in runs.items():
            ratios[name].append(run.covers / ceiling["repack"])
            for problem in run.problems:
                invalid += 1
                print(f"  INVALID {name} {scenario.name}: {problem}")
        print(_row(scenario.name, ceiling, runs["v3"], runs["legacy"]))
    return _summary(ratios, invalid)


def _row(name: str, ceiling: dict[str, int], v3: Run, legacy: Run) -> str:
    repack, optimum = ceiling["repack"], ceiling["optimum"]
    slowest = max(v3.repack_ms, default=0.0)
    calls = f"{v3.repacks}/{len(v3.repack_ms)}"
    fails = ",".join(f"{k}={v}" for k, v in sorted(v3.failures.items()))
    return (
        f"{name:<18}{repack:>7}{optimum:>8}{v3.covers:>6}{v3.covers / repack:>7.3f}"
        f"{v3.covers / optimum:>7.3f}{legacy.covers:>7}{legacy.covers / repack:>7.3f}"
        f"{legacy.covers / optimum:>7.3f}{calls:>12}{v3.moves:>6}{slowest:>10.1f}{fails:>22}"
    )


def _summary(ratios: dict[str, list[float]], invalid: int) -> int:
    for name, values in ratios.items():
        print(f"{name:<7} covers/repack mean {statistics.fmean(values):.4f} min {min(values):.4f}")
    v3 = ratios["v3"]
    met = statistics.fmean(v3) >= MEAN_TARGET and min(v3) >= FLOOR_TARGET
    print(f"v3 target (mean >= {MEAN_TARGET}, min >= {FLOOR_TARGET}): {'met' if met else 'MISSED'}")
    print(f"independent check: {'ok' if invalid == 0 else f'{invalid} problems'}")
    return 0 if met and invalid == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
