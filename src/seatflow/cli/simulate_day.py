"""`seatflow simulate` on a service day (`seatflow.scenario/v2`): the run and its summary."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from seatflow.bootstrap import services
from seatflow.cli.progress import run_progress
from seatflow.domain.service_day import ServiceDay
from seatflow.pipeline.clock import SimulatedClock
from seatflow.pipeline.flags import PipelineFlags
from seatflow.sim.service_day import ServiceDaySimulation
from seatflow.sim.simulate import flags_for

__all__ = ["print_day_summary", "run_day"]


async def run_day(
    settings: Any, url: str, day: ServiceDay, pipeline: str, seed: int, console: Console
) -> dict[str, Any]:
    """The whole day on a simulated clock; the v2 result document."""
    clock = SimulatedClock()
    flags = flags_for(pipeline, PipelineFlags.from_settings(settings))
    async with services(
        settings, url, clock=clock, flags=flags, seed=seed, simulated=True
    ) as wired:
        with run_progress(console, f"[bold]{day.name}[/] {pipeline}") as progress:
            task = progress.add_task("moments", total=len(day.bookings) + len(day.events))
            simulation = ServiceDaySimulation(
                day,
                pipeline,
                wired,
                clock,
                on_progress=lambda done: progress.update(task, completed=done),
            )
            return await simulation.run()


def print_day_summary(
    console: Console, result: dict[str, Any], ceilings: dict[str, Any] | None
) -> None:
    summary = result["summary"]
    table = Table(title=f"{result['scenario']} — pipeline {result['pipeline']}", show_header=False)
    for key in (
        "covers_requested",
        "covers_served",
        "walk_in_covers_served",
        "displaced_covers",
        "moves",
        "modifications_accepted",
        "modifications_refused",
    ):
        table.add_row(key.replace("_", " "), str(summary[key]))
    rejected = ", ".join(f"{k} {v}" for k, v in summary["rejected"].items() if v)
    table.add_row("rejected", rejected or "none")
    if ceilings and ceilings.get("online"):
        ratio = summary["covers_served"] / ceilings["online"]
        table.add_row("covers / online", f"{ratio:.3f} (online {ceilings['online']})")
        table.add_row(
            "oracle", f"displaced {ceilings.get('displaced_covers')}, moves {ceilings.get('moves')}"
        )
    console.print(table)
