"""Planning latency on the 60-table scenarios: the direct V3 path and re-pack calls, apart.

Each scenario's stream runs through ``plan_v3`` exactly as in the quality benchmark; every call
is timed. Calls that had to search (a re-pack plan, or a no-capacity / timeout answer) are the
re-pack figures; the rest are the direct path, whose p99 target is 20 ms. The first call per
floor builds the cached per-floor data and is reported on its own.

    .venv/bin/python benchmarks/planning_latency.py [SCENARIO_DIR] [--budget-ms 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from planner_quality import DEFAULT_DIR, simulate, went_to_repack

from seatflow.documents import parse_scenario_text
from seatflow.domain.floor import FloorPlan
from seatflow.planning.engine import plan_v3
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest

DIRECT_P99_TARGET_MS = 20.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


Planner = Callable[[FloorPlan, PlanRequest, Sequence[Occupant]], Plan | PlanFailure]


def timed_planner(budget_ms: int) -> tuple[Planner, list[tuple[float, bool]]]:
    """plan_v3 with that budget, and the list each call appends (ms, went to the re-pack) to."""
    timings: list[tuple[float, bool]] = []

    def timed(
        floor: FloorPlan, request: PlanRequest, occupants: Sequence[Occupant]
    ) -> Plan | PlanFailure:
        began = time.perf_counter()
        result = plan_v3(floor, request, occupants, repack_budget_ms=budget_ms)
        timings.append(((time.perf_counter() - began) * 1000, went_to_repack(result)))
        return result

    return timed, timings


def measure(path: Path, budget_ms: int) -> tuple[float, list[float], list[float]]:
    """Cold first call, then direct-path and re-pack call timings for one scenario."""
    scenario = parse_scenario_text(path.read_text())
    timed, timings = timed_planner(budget_ms)
    simulate(scenario, timed)
    cold = timings[0][0]
    direct = [ms for ms, searched in timings[1:] if not searched]
    repack = [ms for ms, searched in timings[1:] if searched]
    return cold, direct, repack


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--budget-ms", type=int, default=2000)
    args = parser.parse_args(argv)
    print(
        f"{'scenario':<18}{'cold ms':>8}{'direct n':>9}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
        f"{'repack n':>9}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
    )
    worst = 0.0
    for path in sorted(args.directory.glob("dev-*-t60-*.json")):
        cold, direct, repack = measure(path, args.budget_ms)
        worst = max(worst, percentile(direct, 0.99))
        print(
            f"{path.stem:<18}{cold:>8.1f}{len(direct):>9}{_stats(direct)}"
            f"{len(repack):>9}{_stats(repack)}"
        )
    met = worst <= DIRECT_P99_TARGET_MS
    print(f"direct p99 target (<= {DIRECT_P99_TARGET_MS} ms): {'met' if met else 'MISSED'}")
    return 0 if met else 1


def _stats(values: Sequence[float]) -> str:
    p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
    return f"{p50:>8.2f}{p99:>8.2f}{max(values, default=0.0):>8.2f}"


if __name__ == "__main__":
    sys.exit(main())
