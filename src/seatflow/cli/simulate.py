"""`seatflow simulate SCENARIO.json --pipeline legacy|v3|shadow --out RESULT.json`."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from seatflow.bootstrap import services
from seatflow.cli.floor import read_scenario_file
from seatflow.cli.progress import run_progress
from seatflow.cli.runtime import settings_of
from seatflow.cli.sandbox import DatabaseOption, simulation_database
from seatflow.cli.simulate_day import print_day_summary, run_day
from seatflow.documents import parse_document_text
from seatflow.domain.service_day import ServiceDay
from seatflow.errors import InvalidInput
from seatflow.logging import log_startup
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.flags import PipelineFlags
from seatflow.sim.simulate import PIPELINES, Simulation, SimulationStats, flags_for

console = Console()


def simulate_command(
    ctx: typer.Context,
    scenario_file: Annotated[
        Path, typer.Argument(help="A seatflow.scenario/v1 or /v2 (service day) file.")
    ],
    pipeline: Annotated[
        str | None, typer.Option(help="legacy | v3 | shadow (default: what the flags say).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the result file.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for retry jitter (same input, same run).")] = 0,
    database: DatabaseOption = None,
) -> None:
    """Run a scenario's bookings through the real database path on a simulated clock.

    It runs in a scratch database of its own, never in the service's: simulated bookings and
    events must not mix with live ones or with the rollout gate's evidence.
    """
    settings = settings_of(ctx)
    chosen = pipeline or _pipeline_from_flags(PipelineFlags.from_settings(settings))
    if chosen not in PIPELINES:
        raise InvalidInput("--pipeline", f"must be one of legacy, v3, shadow; got {chosen!r}")
    scenario = parse_document_text(read_scenario_file(scenario_file))
    if out is not None:
        check_writable(out, "--out")
    if isinstance(scenario, ServiceDay):
        _simulate_day(settings, scenario, chosen, seed, database, scenario_file, out)
        return
    flags = flags_for(chosen, PipelineFlags.from_settings(settings))
    effective = settings.model_copy(
        update={"pipeline_v3": flags.v3, "pipeline_v3_shadow": flags.shadow}
    )
    log_startup(effective, "simulate", pipeline=chosen, scenario=scenario.name)
    with simulation_database(settings, database, console) as url:
        result, stats = asyncio.run(run_scenario(settings, url, scenario, chosen, seed))
    if out is not None:
        out.write_text(json.dumps(result, indent=1) + "\n")
    print_summary(result, stats, ceilings_for(scenario_file, result["scenario"]))
    if out is not None:
        console.print(f"result written to [bold]{out}[/]")


def _simulate_day(
    settings: Any,
    day: ServiceDay,
    pipeline: str,
    seed: int,
    database: str | None,
    scenario_file: Path,
    out: Path | None,
) -> None:
    flags = flags_for(pipeline, PipelineFlags.from_settings(settings))
    effective = settings.model_copy(
        update={"pipeline_v3": flags.v3, "pipeline_v3_shadow": flags.shadow}
    )
    log_startup(effective, "simulate", pipeline=pipeline, scenario=day.name)
    with simulation_database(settings, database, console) as url:
        result = asyncio.run(run_day(settings, url, day, pipeline, seed, console))
    if out is not None:
        out.write_text(json.dumps(result, indent=1) + "\n")
    print_day_summary(console, result, ceilings_for(scenario_file, day.name))
    if out is not None:
        console.print(f"result written to [bold]{out}[/]")


def _pipeline_from_flags(flags: PipelineFlags) -> str:
    if flags.v3:
        return "v3"
    return "shadow" if flags.shadow else "legacy"


async def run_scenario(
    settings: Any, url: str, scenario: Any, pipeline: str, seed: int
) -> tuple[dict[str, Any], SimulationStats]:
    clock = SimulatedClock()
    flags = flags_for(pipeline, PipelineFlags.from_settings(settings))
    async with services(
        settings, url, clock=clock, flags=flags, seed=seed, simulated=True
    ) as wired:
        with run_progress(console, f"[bold]{scenario.name}[/] {pipeline}") as progress:
            task = progress.add_task("bookings", total=len(scenario.bookings))
            simulation = Simulation(
                scenario,
                pipeline,
                wired,
                clock,
                on_progress=lambda done: progress.update(task, completed=done),
            )
            result = await simulation.run()
    return result, simulation.stats


def check_writable(path: Path, option: str) -> None:
    """Refuse before the run, not after it, a result path that cannot be written."""
    if path.is_dir():
        raise InvalidInput(option, f"{path} is a directory; give a file name")
    parent = path.parent
    if not parent.is_dir():
        raise InvalidInput(option, f"directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise InvalidInput(option, f"directory {parent} is not writable")


def ceilings_for(scenario_file: Path, name: str) -> dict[str, Any] | None:
    """The quality ceilings of the scenario, when a ceilings.json sits beside it."""
    path = scenario_file.parent / "ceilings.json"
    if not path.exists():
        return None
    try:
        entry = json.loads(path.read_text()).get(name)
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def print_summary(
    result: dict[str, Any], stats: SimulationStats, ceilings: dict[str, Any] | None
) -> None:
    summary = result["summary"]
    table = Table(title=f"{result['scenario']} — pipeline {result['pipeline']}", show_header=False)
    for key in ("bookings", "confirmed", "rejected", "manual_review", "covers_requested"):
        table.add_row(key.replace("_", " "), str(summary[key]))
    table.add_row("covers seated", str(summary["covers_seated"]))
    if ceilings:
        for name in ("repack", "optimum"):
            if ceilings.get(name):
                ratio = summary["covers_seated"] / ceilings[name]
                table.add_row(f"covers / {name}", f"{ratio:.3f} (ceiling {ceilings[name]})")
    if stats.decision_ms:
        ordered = sorted(stats.decision_ms)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        table.add_row(
            "decision latency",
            f"p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms "
            f"over {stats.invocations} invocations",
        )
    console.print(table)
