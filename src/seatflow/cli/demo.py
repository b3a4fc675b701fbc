"""`seatflow demo` (what `make demo` runs): the sample restaurant's evening through the real job
queue and two worker processes on the V3 pipeline, then what an operator would look at — covers
vs the ceilings, reviews, decision latency, events by type and the rollout gate.

The embedded database's server unless DATABASE_URL is set; the sample ships inside the package.
It runs in its own database, `seatflow_demo`, recreated at the start and kept afterwards: the demo
ends by printing a key for its restaurant and the commands that open the ops console on its
evening and draw it with `seatflow timeline` (`cli/demo_console.py`).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from seatflow.cli.demo_console import demo_key, print_console_commands
from seatflow.cli.rollout import build_report, render
from seatflow.cli.runtime import connect, settings_of
from seatflow.cli.sandbox import demo_database
from seatflow.cli.simulate import print_summary
from seatflow.documents import parse_scenario_text
from seatflow.domain.scenario import Scenario
from seatflow.jobs.evening import Evening, EveningProgress, run_evening, shift_into_future
from seatflow.jobs.processes import worker_processes
from seatflow.logging import log_startup
from seatflow.pipeline.event_types import COORDINATOR_SOURCE, TERMINAL_EVENTS
from seatflow.pipeline.rollout_gate import Verdict
from seatflow.settings import Settings
from seatflow.sim.simulate import SimulationStats

console = Console()


def demo_command(
    ctx: typer.Context,
    workers: Annotated[int, typer.Option(min=1, max=8, help="Worker processes.")] = 2,
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="Jobs per worker.")] = 2,
    database: Annotated[
        str | None,
        typer.Option(
            help="Run in this database (one kept for simulations) instead of seatflow_demo.",
            show_default="seatflow_demo beside the configured database, recreated",
        ),
    ] = None,
) -> None:
    """Run the sample evening through the queue and workers (V3), then print the summary.

    It runs in its own database (seatflow_demo, recreated each time, kept until the next demo),
    never in the service's, and ends with the commands that open the ops console on that
    evening and draw it in the terminal, and a key to sign in with.
    """
    settings = settings_of(ctx)
    data = resources.files("seatflow.data")
    scenario = parse_scenario_text(data.joinpath("sample-evening.json").read_text())
    scenario = shift_into_future(scenario, datetime.now(UTC))
    ceilings: dict[str, Any] = json.loads(data.joinpath("ceilings.json").read_text())
    in_effect = settings.model_copy(update={"pipeline_v3": True, "pipeline_v3_shadow": False})
    log_startup(in_effect, "demo", workers=workers, concurrency=concurrency)
    url = demo_database(settings, database, console)
    _run_demo(settings, url, scenario, ceilings, workers, concurrency)
    zone = ZoneInfo(scenario.floor.timezone)
    evening = min(b.start_at for b in scenario.bookings).astimezone(zone).date()
    key = asyncio.run(demo_key(url, scenario.floor.slug))
    print_console_commands(console, url, scenario.floor.slug, evening, key)


def _run_demo(
    settings: Settings,
    url: str,
    scenario: Scenario,
    ceilings: dict[str, Any],
    workers: int,
    concurrency: int,
) -> None:
    console.print(
        f"[bold]seatflow demo[/]: {len(scenario.bookings)} booking requests for "
        f"{scenario.floor.name} ({len(scenario.floor.tables)} tables) on "
        f"{min(b.start_at for b in scenario.bookings):%a %d %b %Y}; pipeline V3, "
        f"{workers} worker processes x {concurrency} jobs"
    )
    log_file = Path(tempfile.gettempdir()) / "seatflow-demo-workers.log"
    started = datetime.now(UTC) - timedelta(seconds=1)
    with worker_processes(
        url,
        workers,
        concurrency=concurrency,
        variables=_worker_variables(settings),
        log_file=log_file,
        simulated=True,
    ):
        evening = asyncio.run(_push(url, scenario, settings))
    console.print(
        f"queue settled {evening.result['summary']['bookings']} requests in "
        f"{evening.seconds:.1f} s (worker log: {log_file})"
    )
    if evening.unsettled:
        console.print(f"[bold red]{len(evening.unsettled)} bookings still unsettled[/]")
    durations = asyncio.run(_decision_ms(url, started))
    stats = SimulationStats(invocations=len(durations), decision_ms=durations)
    print_summary(evening.result, stats, ceilings.get(scenario.name))
    asyncio.run(_events_by_type(url, started))
    report = asyncio.run(build_report(url, started, scenario.floor.slug, include_simulated=True))
    render(report, "demo run")
    if report.gate.verdict is Verdict.INSUFFICIENT:
        console.print(
            f"(one evening gives fewer outcomes than the {report.thresholds.min_outcomes} the "
            "gate needs before it judges a rate: a rollout is judged on hours of real traffic, "
            "see docs/assignment-pipeline-rollout.md)",
            style="dim",
        )
    out = Path(tempfile.gettempdir()) / "seatflow-demo-result.json"
    out.write_text(json.dumps(evening.result, indent=1) + "\n")
    console.print(f"result file: {out}")


def _worker_variables(settings: Settings) -> dict[str, str]:
    """V3 for every restaurant, whatever the shell says; the rest of the settings as given."""
    return {
        "FEATURE_ASSIGNMENT_PIPELINE_V3": "true",
        "FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOW": "false",
        "FEATURE_ASSIGNMENT_PIPELINE_V3_MAX_PARALLEL": str(settings.pipeline_v3_max_parallel),
        "SEATFLOW_REPACK_BUDGET_MS": str(settings.repack_budget_ms),
        "SEATFLOW_LOG_LEVEL": "warning",
    }


async def _push(url: str, scenario: Scenario, settings: Settings) -> Evening:
    with Progress(
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("requests", total=len(scenario.bookings), detail="")

        def show(state: EveningProgress) -> None:
            detail = (
                f"accepted {state.accepted}, turned away {state.rejected}, "
                f"confirmed or in review {state.settled}"
            )
            progress.update(task, completed=state.requests, detail=detail)

        return await run_evening(
            url, scenario, repack_budget_ms=settings.repack_budget_ms, on_progress=show
        )


async def _decision_ms(url: str, since: datetime) -> list[float]:
    """duration_ms of every coordinator invocation's terminal event in the run."""
    terminal = [event.value for event, _ in TERMINAL_EVENTS.values()]
    async with connect(url) as conn:
        rows = await (
            await conn.execute(
                "SELECT (context->>'duration_ms')::float AS ms FROM observability_events "
                "WHERE source = %s AND event_type = ANY(%s) AND created_at >= %s "
                "AND context ? 'duration_ms'",
                (COORDINATOR_SOURCE, terminal, since),
            )
        ).fetchall()
    return sorted(row["ms"] for row in rows)


async def _events_by_type(url: str, since: datetime) -> None:
    async with connect(url) as conn:
        rows = await (
            await conn.execute(
                "SELECT source, event_type, count(*) AS n FROM observability_events "
                "WHERE created_at >= %s GROUP BY 1, 2 ORDER BY 1, 2",
                (since,),
            )
        ).fetchall()
    table = Table("source", "event type", "events", title="Events written during the demo")
    for row in rows:
        table.add_row(row["source"], row["event_type"], str(row["n"]))
    console.print(table)
