"""`seatflow floor …`: import a scenario's restaurant (a v2 file's service rules with it), show a
floor and its service rules, list restaurants."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from seatflow.cli.runtime import connect, ready_url, settings_of
from seatflow.documents import parse_document_text
from seatflow.domain.combinations import valid_combinations
from seatflow.domain.floor import FloorPlan, TurnRule
from seatflow.domain.floor_change import Stranded
from seatflow.domain.service import Pacing, ServiceRules
from seatflow.domain.service_day import ServiceDay
from seatflow.errors import FloorChangeRefused, InvalidDocument, InvalidScenario
from seatflow.jobs.app import build_app
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.clock import SystemClock
from seatflow.pipeline.floor_change import FLOOR_CHANGE, FloorChange, change_floor
from seatflow.pipeline.telemetry import state_transition_event
from seatflow.store.events import BatchingEventSink
from seatflow.store.floors import StoredFloor, list_restaurants, load_floor
from seatflow.store.service_rules import load_rules, save_rules

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
    """Load (or update in place) the restaurant of a seatflow.scenario/v1 or v2 file; a v2 file's
    service rules (periods, closures, grace, overstay step) replace the stored ones with it.

    Exits 2 listing every problem of a bad file, and 4 listing the live bookings a new floor
    would strand (without --reassign); either way nothing is written.
    """
    floor, rules = _read_floor(file)
    url = ready_url(settings_of(ctx))
    try:
        change = asyncio.run(_change(url, floor, rules, reassign=reassign))
    except FloorChangeRefused as exc:
        _error(str(exc))
        for item in exc.stranded:
            _error(f"  {_seating(item)}")
        raise typer.Exit(EXIT_STRANDS) from None
    console.print(
        f"imported [bold]{escape(floor.slug)}[/]: {len(floor.zones)} zones, "
        f"{len(floor.tables)} tables, {len(floor.adjacency)} adjacent pairs"
        + ("" if rules is None else f", {len(rules.periods)} service periods")
    )
    for item in change.reassigned:
        console.print(f"  re-assigning {escape(_seating(item))}", soft_wrap=True, highlight=False)


def _read_floor(file: Path) -> tuple[FloorPlan, ServiceRules | None]:
    """The file's floor and (v2) service rules, or every problem of the file, one a line, and
    exit 2."""
    try:
        document = parse_document_text(read_scenario_file(file))
    except InvalidDocument as exc:
        for path, reason in exc.problems:
            _error(f"{file}: {path}: {reason}")
        raise typer.Exit(EXIT_INVALID) from None
    rules = document.rules if isinstance(document, ServiceDay) else None
    return document.floor, rules


def _seating(item: Stranded) -> str:
    seat = item.seating
    return (
        f"{seat.ref or seat.booking_id} at {seat.start_at.isoformat()}, party of "
        f"{seat.party_size}, on {', '.join(seat.tables)}: {item.reason}"
    )


async def _change(
    url: str, floor: FloorPlan, rules: ServiceRules | None, *, reassign: bool
) -> FloorChange:
    """The change (and the rules, given any) in one transaction; its state changes announced
    once it committed."""
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
            if rules is not None:
                await save_rules(conn, change.restaurant_id, rules)
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

    async def run() -> tuple[StoredFloor, ServiceRules]:
        async with connect(url) as conn:
            stored = await load_floor(conn, slug)
            return stored, await load_rules(conn, stored.restaurant_id)

    stored, rules = asyncio.run(run())
    render_floor(stored)
    render_rules(rules)


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


def render_rules(rules: ServiceRules) -> None:
    """The service periods (hours, turn tables, pacing), closures, no-show grace, overstay step."""
    console.print(
        f"Service rules: no-show grace {rules.no_show_grace_minutes} min, "
        f"overstay step {rules.overstay_step_minutes} min"
        + ("" if rules.restricted else ", seats at any time (no service periods)")
    )
    if rules.periods:
        periods = Table("period", "weekdays", "seating", "turns", "pacing", title="Service periods")
        for p in rules.periods:
            turns = "policy" if p.turn_minutes is None else _turns(p.turn_minutes)
            periods.add_row(
                escape(p.key),
                ",".join(str(d) for d in sorted(p.weekdays)),
                f"{p.first_seating:%H:%M}–{p.last_seating:%H:%M}",
                turns,
                _pacing(p.pacing),
            )
        console.print(periods)
    if rules.closures:
        closures = Table("date", "reason", title="Closures")
        for c in rules.closures:
            closures.add_row(c.date.isoformat(), escape(c.reason or ""))
        console.print(closures)


def _turns(rules: tuple[TurnRule, ...]) -> str:
    return ", ".join(f"≤{r.max_party}: {r.minutes} min" for r in rules)


def _pacing(pacing: Pacing | None) -> str:
    if pacing is None:
        return "none"
    covers = "-" if pacing.max_covers is None else str(pacing.max_covers)
    parties = "-" if pacing.max_parties is None else str(pacing.max_parties)
    return f"per {pacing.slot_minutes} min: {covers} covers, {parties} parties"
