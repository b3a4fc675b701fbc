"""`seatflow demo` (what `make demo` runs): an evening of bookings through the V3 pipeline on the
embedded database, then what an operator would look at — covers vs the ceilings, reviews,
decision latency, events by type and the rollout gate."""

from __future__ import annotations

import asyncio
import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from seatflow.cli.rollout import build_report, render
from seatflow.cli.runtime import connect, migrated_url, settings_of
from seatflow.cli.simulate import print_summary, run_scenario
from seatflow.domain.scenario import parse_scenario_text

console = Console()


def demo_command(ctx: typer.Context) -> None:
    """Run the sample restaurant's evening through V3 and print the operator's summary."""
    from datetime import UTC, datetime, timedelta

    settings = settings_of(ctx)
    data = resources.files("seatflow.data")
    scenario = parse_scenario_text(data.joinpath("sample-evening.json").read_text())
    ceilings: dict[str, Any] = json.loads(data.joinpath("ceilings.json").read_text())
    url = migrated_url(settings)
    console.print(
        f"[bold]seatflow demo[/]: {len(scenario.bookings)} booking requests for "
        f"{scenario.floor.name} ({len(scenario.floor.tables)} tables), pipeline V3"
    )
    started = datetime.now(UTC) - timedelta(seconds=1)
    result, stats = asyncio.run(run_scenario(settings, url, scenario, "v3", seed=0))
    print_summary(result, stats, ceilings.get(scenario.name))
    asyncio.run(_events_by_type(url, started))
    report = asyncio.run(build_report(url, started, scenario.floor.slug))
    render(report, "demo run")
    out = Path(tempfile.gettempdir()) / "seatflow-demo-result.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    console.print(f"result file: {out}")


async def _events_by_type(url: str, since: Any) -> None:
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
