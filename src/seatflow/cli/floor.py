"""`seatflow floor …`: import a scenario's restaurant, show a floor, list restaurants."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from seatflow.cli.runtime import connect, ready_url, settings_of
from seatflow.domain.combinations import valid_combinations
from seatflow.domain.scenario import parse_scenario_text
from seatflow.errors import InvalidScenario
from seatflow.store.floors import StoredFloor, import_floor, list_restaurants, load_floor

app = typer.Typer(help="Floor plans: import, show, list.", no_args_is_help=True)
console = Console()


def read_scenario_file(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise InvalidScenario(str(path), f"cannot read the file ({exc.strerror})") from exc


@app.command("import")
def import_command(ctx: typer.Context, file: Path) -> None:
    """Load (or update in place) the restaurant of a seatflow.scenario/v1 file."""
    scenario = parse_scenario_text(read_scenario_file(file))
    url = ready_url(settings_of(ctx))

    async def run() -> None:
        async with connect(url) as conn, conn.transaction():
            await import_floor(conn, scenario.floor)

    asyncio.run(run())
    floor = scenario.floor
    console.print(
        f"imported [bold]{floor.slug}[/]: {len(floor.zones)} zones, {len(floor.tables)} tables, "
        f"{len(floor.adjacency)} adjacent pairs"
    )


@app.command("show")
def show_command(ctx: typer.Context, slug: str) -> None:
    """Print a restaurant's zones, tables and adjacency."""
    url = ready_url(settings_of(ctx))

    async def run() -> StoredFloor:
        async with connect(url) as conn:
            return await load_floor(conn, slug)

    render_floor(asyncio.run(run()))


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """List restaurants."""
    url = ready_url(settings_of(ctx))

    async def run() -> list[dict[str, object]]:
        async with connect(url) as conn:
            return await list_restaurants(conn)

    table = Table("slug", "name", "timezone", "tables", title="Restaurants")
    for row in asyncio.run(run()):
        table.add_row(str(row["slug"]), str(row["name"]), str(row["timezone"]), str(row["tables"]))
    console.print(table)


def render_floor(stored: StoredFloor) -> None:
    plan = stored.plan
    policy = plan.policy
    console.print(
        f"[bold]{plan.name}[/] ({plan.slug}, {plan.timezone}) — "
        f"buffer {policy.buffer_minutes} min, "
        f"up to {policy.max_tables_per_booking} tables per booking, "
        f"{len(valid_combinations(plan))} valid combinations"
    )
    zones = Table("zone", "name", "tables", "seats", title="Zones")
    for zone in plan.zones:
        members = [t for t in plan.tables if t.zone == zone.key]
        zones.add_row(zone.key, zone.name, str(len(members)), str(sum(t.capacity for t in members)))
    console.print(zones)
    tables = Table(
        "table", "zone", "capacity", "min party", "combinable", "adjacent to", title="Tables"
    )
    neighbours = plan.neighbours()
    for table in plan.tables:
        tables.add_row(
            table.key,
            table.zone,
            str(table.capacity),
            str(table.min_party),
            "yes" if table.combinable else "no",
            ", ".join(sorted(neighbours[table.key])),
        )
    console.print(tables)
