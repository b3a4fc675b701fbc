"""Assignment quality of both pipelines on the shared scenarios, through the real database path.

Each scenario runs through `seatflow simulate`'s engine (floor import, bookings in requested_at
order, holds, confirm, constraints, simulated clock) once per pipeline; covers seated are divided
by the scenario's `repack` and `optimum` ceilings. Prints a Markdown table (paste it into
docs/benchmarks.md) and exits non-zero when V3 misses its targets (mean ≥ 0.99 of repack, none
below 0.97).

    .venv/bin/python benchmarks/quality.py [SCENARIO_DIR]   # default ../shared/scenarios
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
from seatflow.documents import parse_scenario_text
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.flags import PipelineFlags
from seatflow.settings import load_settings
from seatflow.sim.simulate import Simulation, flags_for
from seatflow.store.database import resolve_url
from seatflow.store.scratch import scratch_database

PIPELINES = ("legacy", "v3")
MEAN_TARGET, FLOOR_TARGET = 0.99, 0.97


async def run_one(settings: Any, url: str, path: Path, pipeline: str) -> dict[str, Any]:
    scenario = parse_scenario_text(path.read_text())
    clock = SimulatedClock()
    flags = flags_for(pipeline, PipelineFlags.from_settings(settings))
    async with services(settings, url, clock=clock, flags=flags, seed=0, simulated=True) as wired:
        started = time.perf_counter()
        result = await Simulation(scenario, pipeline, wired, clock).run()
        result["seconds"] = time.perf_counter() - started
    return result


async def main(directory: Path) -> int:
    settings = load_settings()
    with scratch_database(resolve_url(settings)) as url:  # never the service's own database
        return await _measure(settings, url, directory)


async def _measure(settings: Any, url: str, directory: Path) -> int:
    ceilings = json.loads((directory / "ceilings.json").read_text())
    rows = []
    for path in sorted(directory.glob("dev-*.json")):
        name = path.stem
        row: dict[str, Any] = {"scenario": name, **ceilings[name]}
        for pipeline in PIPELINES:
            result = await run_one(settings, url, path, pipeline)
            row[pipeline] = result["summary"]["covers_seated"]
            row[f"{pipeline}_review"] = result["summary"]["manual_review"]
            row[f"{pipeline}_s"] = result["seconds"]
        rows.append(row)
        print(
            f"{name}: legacy {row['legacy']}, v3 {row['v3']} (repack {row['repack']})",
            file=sys.stderr,
        )
    print(render(rows))
    v3 = [r["v3"] / r["repack"] for r in rows]
    return 0 if statistics.mean(v3) >= MEAN_TARGET and min(v3) >= FLOOR_TARGET else 1


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | repack | optimum | legacy covers | legacy / repack | legacy / optimum "
        "| v3 covers | v3 / repack | v3 / optimum | v3 in review | v3 run (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['repack']} | {r['optimum']} | {r['legacy']} "
            f"| {r['legacy'] / r['repack']:.3f} | {r['legacy'] / r['optimum']:.3f} "
            f"| {r['v3']} | {r['v3'] / r['repack']:.3f} | {r['v3'] / r['optimum']:.3f} "
            f"| {r['v3_review']} | {r['v3_s']:.1f} |"
        )
    for pipeline in PIPELINES:
        to_repack = [r[pipeline] / r["repack"] for r in rows]
        to_optimum = [r[pipeline] / r["optimum"] for r in rows]
        lines.append(
            f"\n**{pipeline}**: mean covers / repack {statistics.mean(to_repack):.3f} "
            f"(min {min(to_repack):.3f}), mean covers / optimum {statistics.mean(to_optimum):.3f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared" / "scenarios"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    sys.exit(asyncio.run(main(target)))
