"""`seatflow floor …`: import a scenario's restaurant, show a floor, list restaurants."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from seatflow.cli.runtime import connect, ready_url, settings_of
from seatflow.documents import parse_scenario_text
from seatflow.domain.combinations import valid_combinations
from seatflow.domain.floor import FloorPlan
from seatflow.domain.floor_change import Stranded
from seatflow.errors import FloorChangeRefused, InvalidDocument, InvalidScenario
from seatflow.jobs.app import build_app
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.clock import SystemClock
from seatflow.pipeline.floor_change import FLOOR_CHANGE, FloorChange, change_floor
from seatflow.pipeline.telemetry import state_transition_event
from seatflow.store.events import BatchingEventSink
from seatflow.store.floors import StoredFloor, list_restaurants, load_floor

app = typer.Typer(help="Floor plans: import, show, list.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)
#: Exit codes of `floor import` beyond 0: a bad file, and a change refused for live bookings.
EXIT_INVALID = 2
EXIT_STRANDS = 4
#: Who the history and the events say changed the bookings.
ACTOR = "cli"


def read_scenario_file(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise InvalidScenario(str(path), f"cannot read the file ({exc.strerror})") from exc


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path,
    reassign: Annotated[
        bool,
        typer.Option(
            help="Hand live bookings the new floor cannot seat where they are back to the "
            "pipeline (released, assignment_pending, a `floor_change` job each) instead of "
            "refusing the import."
        ),
    ] = False,
) -> None:
    """Load (or update in place) the restaurant of a seatflow.scenario/v1 file.

    Exits 2 listing every problem of a bad file, and 4 listing the live bookings a new floor
    would strand (without --reassign); either way nothing is written.
    """
    floor = _read_floor(file)
    url = ready_url(settings_of(ctx))
    try:
        change = asyncio.run(_change(url, floor, reassign=reassign))
    except FloorChangeRefused as exc:
        _error(str(exc))
        for item in exc.stranded:
            _error(f"  {_seating(item)}")
        raise typer.Exit(EXIT_STRANDS) from None
    console.print(
        f"imported [bold]{escape(floor.slug)}[/]: {len(floor.zones)} zones, "
        f"{len(floor.tables)} tables, {len(floor.adjacency)} adjacent pairs"
    )
    for item in change.reassigned:
        console.print(f"  re-assigning {escape(_seating(item))}", soft_wrap=True, highlight=False)


def _read_floor(file: Path) -> FloorPlan:
    """The file's floor, or every problem of the file, one a line, and exit 2."""
    try:
        return parse_scenario_text(read_scenario_file(file)).floor
    except InvalidDocument as exc:
        for path, reason in exc.problems:
            _error(f"{file}: {path}: {reason}")
        raise typer.Exit(EXIT_INVALID) from None


def _seating(item: Stranded) -> str:
    seat = item.seating
    return (
        f"{seat.ref or seat.booking_id} at {seat.start_at.isoformat()}, party of "
        f"{seat.party_size}, on {', '.join(seat.tables)}: {item.reason}"
    )


async def _change(url: str, floor: FloorPlan, *, reassign: bool) -> FloorChange:
    """The change in one transaction; its state changes announced once it committed."""
    async with connect(url) as conn:
        async with conn.transaction():
            change = await change_floor(
                conn,
                floor,
                now=SystemClock().now(),
                queue=ProcrastinateQueue(build_app()),
                actor=ACTOR,
                reassign=reassign,
            )
        if change.transitions:
            sink = BatchingEventSink(url)
            for step in change.transitions:
                sink.emit(state_transition_event(step, actor=ACTOR, reason=FLOOR_CHANGE))
            await sink.aclose()
    return change


def _error(line: str) -> None:
    errors.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)


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
