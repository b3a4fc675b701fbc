"""The `seatflow` command. Settings are built once here; a bad one stops every command."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from structlog.testing import capture_logs

from seatflow import __version__
from seatflow.cli import bookings, config, db, floor, keys, review, rollout, webhooks
from seatflow.cli.demo import demo_command
from seatflow.cli.serve import serve_command
from seatflow.cli.simulate import simulate_command
from seatflow.cli.timeline import timeline_command
from seatflow.cli.worker import worker_command
from seatflow.errors import ConfigError, InvalidInput, NotFound, SeatflowError
from seatflow.logging import configure_logging, replay
from seatflow.settings import load_settings
from seatflow.store.database import prepare_by_default

app = typer.Typer(
    help="seatflow: assign restaurant bookings to tables.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(floor.app, name="floor")
app.command("simulate")(simulate_command)
app.command("demo")(demo_command)
app.command("worker")(worker_command)
app.add_typer(rollout.app, name="rollout")
app.add_typer(keys.app, name="keys")
app.add_typer(webhooks.app, name="webhooks")
app.command("serve")(serve_command)
app.add_typer(config.app, name="config")
app.add_typer(bookings.app, name="bookings")
app.add_typer(review.app, name="review")
app.command("timeline")(timeline_command)

_errors = Console(stderr=True)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"seatflow {__version__}")
        raise typer.Exit()


@app.callback()
def configure(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Load and check every setting before any command runs."""
    with capture_logs() as early:  # the settings decide where logs go: hold theirs till then
        settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    replay(early)
    prepare_by_default(settings.prepared_statements)
    ctx.obj = settings


def main() -> None:
    """Run the CLI; seatflow's own errors become one red line and a non-zero exit."""
    try:
        app()
    except SeatflowError as exc:
        # soft_wrap: one line however narrow the terminal (rich would break it at the width).
        _errors.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exit_code(exc))


def exit_code(exc: SeatflowError) -> int:
    if isinstance(exc, ConfigError | InvalidInput):
        return 2
    if isinstance(exc, NotFound):
        return 3
    return 1
