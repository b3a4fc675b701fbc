"""`seatflow rollout status`: is it safe to go further, or time to roll back? From events alone."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from seatflow.cli.runtime import connect, ready_url, settings_of
from seatflow.errors import InvalidInput
from seatflow.pipeline.rollout_gate import GateResult, PipelineStats, evaluate, summarise
from seatflow.store.floors import load_floor
from seatflow.store.rollout import lock_contention, outcome_rows, shadow_counts

app = typer.Typer(help="The V3 rollout: metrics and the GO / NO-GO gate.", no_args_is_help=True)
console = Console()
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match:
        raise InvalidInput("--since", f"want a duration like 30m, 6h or 2d; got {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True, slots=True, kw_only=True)
class RolloutReport:
    stats: dict[str, PipelineStats]
    shadow: dict[str, int]
    lock_contention: int
    gate: GateResult


async def build_report(url: str, since: datetime, restaurant: str | None) -> RolloutReport:
    async with connect(url) as conn:
        restaurant_id: UUID | None = None
        if restaurant:
            restaurant_id = (await load_floor(conn, restaurant)).restaurant_id
        stats = summarise(await outcome_rows(conn, since, restaurant_id))
        shadow = await shadow_counts(conn, since, restaurant_id)
        contention = await lock_contention(conn, since, restaurant_id)
    return RolloutReport(
        stats=stats,
        shadow=shadow,
        lock_contention=contention,
        gate=evaluate(stats, shadow, lock_contention=contention),
    )


@app.command("status")
def status_command(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="How far back to look: 30m, 6h, 2d.")] = "6h",
    restaurant: Annotated[str | None, typer.Option(help="Only this restaurant (slug).")] = None,
) -> None:
    """Per pipeline: success, review, retries, errors, contention, shadow; then the gate."""
    window = parse_since(since)
    url = ready_url(settings_of(ctx))
    report = asyncio.run(build_report(url, datetime.now(UTC) - window, restaurant))
    render(report, since)
    raise typer.Exit(0 if report.gate.go else 1)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def render(report: RolloutReport, since: str) -> None:
    table = Table(title=f"Assignment outcomes, last {since}")
    for column in ("pipeline", "confirmed", "review", "errors", "success", "review rate"):
        table.add_column(column)
    for name in ("legacy", "v3"):
        s = report.stats.get(name)
        if s is None:
            table.add_row(name, "0", "0", "0", "—", "—")
            continue
        table.add_row(
            name,
            str(s.confirmed),
            str(s.manual_review),
            str(s.errors),
            _pct(s.success_rate),
            _pct(s.review_rate),
        )
    console.print(table)
    retries = Table(title="Retries and no-ops by reason")
    for column in ("pipeline", "kind", "reason", "count", "mean delay"):
        retries.add_column(column)
    for s in report.stats.values():
        for reason, (count, delay) in sorted(s.retries.items()):
            shown = "—" if delay is None else f"{delay / 1000:.1f} s"
            retries.add_row(s.pipeline, "retry", reason, str(count), shown)
        for reason, count in sorted(s.noops.items()):
            retries.add_row(s.pipeline, "noop", reason, str(count), "—")
    console.print(retries)
    console.print(f"lock contention events: {report.lock_contention}")
    if report.shadow:
        total = sum(report.shadow.values())
        agreeing = report.shadow.get("same", 0) + report.shadow.get("equivalent", 0)
        parts = ", ".join(f"{k} {v}" for k, v in sorted(report.shadow.items()))
        console.print(f"shadow: {total} comparisons, agreement {agreeing / total:.1%} ({parts})")
    verdict = "[bold green]GO[/]" if report.gate.go else "[bold red]NO-GO[/]"
    console.print(f"gate: {verdict} — " + "; ".join(report.gate.reasons))
