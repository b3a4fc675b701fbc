"""`seatflow rollout status`: is it safe to go further, or time to roll back? From events alone."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

import typer

from seatflow.cli.rollout_view import render
from seatflow.cli.runtime import connect, ready_url, settings_of
from seatflow.errors import InvalidInput
from seatflow.pipeline.rollout_gate import Thresholds, Verdict
from seatflow.pipeline.rollout_report import RolloutReport, read_report
from seatflow.store.floors import load_floor
from seatflow.store.rollout import EvidenceWindow

__all__ = ["EXIT_CODES", "app", "build_report", "parse_since", "render"]

app = typer.Typer(help="The V3 rollout: metrics and the GO / NO-GO gate.", no_args_is_help=True)
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DEFAULTS = Thresholds()
#: 2 and 3 are taken by bad input and not-found (cli/main.py).
EXIT_CODES = {Verdict.GO: 0, Verdict.NO_GO: 1, Verdict.INSUFFICIENT: 4}


def parse_since(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match:
        raise InvalidInput("--since", f"want a duration like 30m, 6h or 2d; got {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


async def build_report(
    url: str,
    since: datetime,
    restaurant: str | None,
    *,
    include_simulated: bool = False,
    thresholds: Thresholds | None = None,
) -> RolloutReport:
    """The report over events since `since`, for one restaurant (slug) or all."""
    async with connect(url) as conn:
        restaurant_id: UUID | None = None
        if restaurant:
            restaurant_id = (await load_floor(conn, restaurant)).restaurant_id
        window = EvidenceWindow(
            since=since, restaurant_id=restaurant_id, include_simulated=include_simulated
        )
        return await read_report(conn, window, thresholds)


@app.command("status")
def status_command(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="How far back to look: 30m, 6h, 2d.")] = "6h",
    restaurant: Annotated[str | None, typer.Option(help="Only this restaurant (slug).")] = None,
    by_restaurant: Annotated[
        bool, typer.Option("--by-restaurant", help="Print the gate of every restaurant too.")
    ] = False,
    min_outcomes: Annotated[
        int, typer.Option(min=1, help="V3 outcomes needed before its rates are judged.")
    ] = _DEFAULTS.min_outcomes,
    min_comparisons: Annotated[
        int, typer.Option(min=1, help="Shadow comparisons needed before they are judged.")
    ] = _DEFAULTS.min_comparisons,
    include_simulated: Annotated[
        bool,
        typer.Option(
            "--include-simulated", help="Count events of `seatflow simulate` / `demo` runs too."
        ),
    ] = False,
) -> None:
    """Per pipeline: success, review, retries, errors, contention, shadow; then every gate check
    with its figure, threshold and sample, and the verdict.

    Exit code: 0 GO, 1 NO-GO, 4 INSUFFICIENT EVIDENCE;
    2 bad input, 3 unknown restaurant.
    (Insufficient: a rate's sample is below its minimum, or there is nothing to judge.)
    """
    window = parse_since(since)
    url = ready_url(settings_of(ctx))
    limits = Thresholds(min_outcomes=min_outcomes, min_comparisons=min_comparisons)
    report = asyncio.run(
        build_report(
            url,
            datetime.now(UTC) - window,
            restaurant,
            include_simulated=include_simulated,
            thresholds=limits,
        )
    )
    render(report, since, by_restaurant=by_restaurant)
    raise typer.Exit(EXIT_CODES[report.gate.verdict])
