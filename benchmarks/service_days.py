"""Service-day quality of both pipelines on the shared days, through the real database path.

Each day (`seatflow.scenario/v2`) runs through `seatflow simulate`'s engine — requests checked
against hours, pacing and tables, cancellations, changes, arrivals, departures, overstays, broken
tables and the periodic sweeps on a simulated clock — once per pipeline. Covers served are divided
by the day's `online` ceiling; displaced covers and moves stand beside the oracle's; refusals by
reason. Every result is checked by the tests' independent validity judge. Prints a Markdown table
(paste it into docs/benchmarks.md) and exits non-zero when V3 misses its targets: mean covers /
online ≥ 0.99, none below 0.95, displaced covers over the days ≤ the oracle's total, moves fewer
than the oracle's.

    .venv/bin/python benchmarks/service_days.py [DAYS_DIR] [RUNS]   # ../shared/days, 3 runs

A day's figures move from run to run (searches end on time budgets, and one different placement
early in a day changes the rest of it), so the days are run RUNS times: the table shows the first
run, a line per pipeline the spread over all of them, and the targets are judged on the median.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from seatflow.bootstrap import services
from seatflow.documents import parse_document_text
from seatflow.domain.service_day import ServiceDay
from seatflow.logging import configure_logging
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.flags import PipelineFlags
from seatflow.settings import load_settings
from seatflow.sim.service_day import ServiceDaySimulation
from seatflow.sim.simulate import flags_for
from seatflow.store.database import resolve_url
from seatflow.store.scratch import scratch_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.day_validity import problems  # noqa: E402  (the tests' independent judge)

PIPELINES = ("legacy", "v3")
MEAN_TARGET, FLOOR_TARGET = 0.99, 0.95


async def run_one(settings: Any, url: str, path: Path, pipeline: str) -> dict[str, Any]:
    text = path.read_text()
    day = parse_document_text(text)
    assert isinstance(day, ServiceDay), f"{path} is not a service day"
    clock = SimulatedClock()
    flags = flags_for(pipeline, PipelineFlags.from_settings(settings))
    async with services(settings, url, clock=clock, flags=flags, seed=0, simulated=True) as wired:
        started = time.perf_counter()
        result = await ServiceDaySimulation(day, pipeline, wired, clock).run()
        result["seconds"] = time.perf_counter() - started
    found = problems(json.loads(text), result)
    if found:
        raise SystemExit(f"{path.name} {pipeline}: invalid result: {found[:5]}")
    return result


async def main(directory: Path, runs: int) -> int:
    configure_logging("warning")  # the table goes to stdout; a day logs thousands of lines
    settings = load_settings()
    with scratch_database(resolve_url(settings)) as url:  # never the service's own database
        measured = [await _measure(settings, url, directory) for _ in range(runs)]
    print(render(measured[0]))
    print(spread(measured))
    return 0 if meets_targets(measured) else 1


async def _measure(settings: Any, url: str, directory: Path) -> list[dict[str, Any]]:
    ceilings = json.loads((directory / "ceilings.json").read_text())
    rows = []
    for path in sorted(directory.glob("day-*.json")):
        row: dict[str, Any] = {"day": path.stem, "oracle": ceilings[path.stem]}
        for pipeline in PIPELINES:
            row[pipeline] = await run_one(settings, url, path, pipeline)
        rows.append(row)
        v3, legacy = row["v3"]["summary"], row["legacy"]["summary"]
        print(
            f"{path.stem}: v3 {v3['covers_served']} (displaced {v3['displaced_covers']}, "
            f"moves {v3['moves']}), legacy {legacy['covers_served']}, "
            f"online {row['oracle']['online']}",
            file=sys.stderr,
        )
    return rows


def totals(rows: list[dict[str, Any]], pipeline: str) -> dict[str, float]:
    """One run's figures for a pipeline over the days: mean and min covers / online, displaced
    covers, moves."""
    ratios = [r[pipeline]["summary"]["covers_served"] / r["oracle"]["online"] for r in rows]
    return {
        "mean": statistics.mean(ratios),
        "min": min(ratios),
        "displaced": sum(r[pipeline]["summary"]["displaced_covers"] for r in rows),
        "moves": sum(r[pipeline]["summary"]["moves"] for r in rows),
    }


def meets_targets(measured: list[list[dict[str, Any]]]) -> bool:
    """The targets, on the median run of each figure."""
    runs = [totals(rows, "v3") for rows in measured]
    rows = measured[0]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return (
        median["mean"] >= MEAN_TARGET
        and median["min"] >= FLOOR_TARGET
        and median["displaced"] <= sum(r["oracle"]["displaced_covers"] for r in rows)
        and median["moves"] < sum(r["oracle"]["moves"] for r in rows)
    )


def spread(measured: list[list[dict[str, Any]]]) -> str:
    """Each pipeline's figures in every run, in run order."""
    lines = [f"\nOver {len(measured)} runs (run by run):"]
    for pipeline in ("v3", "legacy"):
        runs = [totals(rows, pipeline) for rows in measured]
        lines.append(
            f"- {pipeline}: mean covers / online "
            + ", ".join(f"{run['mean']:.3f}" for run in runs)
            + "; min "
            + ", ".join(f"{run['min']:.3f}" for run in runs)
            + "; displaced covers "
            + ", ".join(str(int(run["displaced"])) for run in runs)
            + "; moves "
            + ", ".join(str(int(run["moves"])) for run in runs)
        )
    return "\n".join(lines)


def _refusals(summary: dict[str, Any]) -> str:
    return " / ".join(str(summary["rejected"].get(k, 0)) for k in _REASONS)


_REASONS = ("no_availability", "outside_service_hours", "closed", "pacing")


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| day | online | pipeline | covers served | / online | displaced covers (oracle) "
        "| moves (oracle) | refused: no room / hours / closed / pacing | mods ok / refused "
        "| run (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        oracle = r["oracle"]
        for pipeline in ("v3", "legacy"):
            s = r[pipeline]["summary"]
            lines.append(
                f"| {r['day']} | {oracle['online']} | {pipeline} | {s['covers_served']} "
                f"| {s['covers_served'] / oracle['online']:.3f} "
                f"| {s['displaced_covers']} ({oracle['displaced_covers']}) "
                f"| {s['moves']} ({oracle['moves']}) | {_refusals(s)} "
                f"| {s['modifications_accepted']} / {s['modifications_refused']} "
                f"| {r[pipeline]['seconds']:.1f} |"
            )
    for pipeline in ("v3", "legacy"):
        ratios = [r[pipeline]["summary"]["covers_served"] / r["oracle"]["online"] for r in rows]
        displaced = sum(r[pipeline]["summary"]["displaced_covers"] for r in rows)
        moves = sum(r[pipeline]["summary"]["moves"] for r in rows)
        lines.append(
            f"\n**{pipeline}**: mean covers / online {statistics.mean(ratios):.3f} "
            f"(min {min(ratios):.3f}), displaced covers {displaced} "
            f"(oracle {sum(r['oracle']['displaced_covers'] for r in rows)}), moves {moves} "
            f"(oracle {sum(r['oracle']['moves'] for r in rows)})"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared" / "days"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    sys.exit(asyncio.run(main(target, runs)))
