"""The `seatflow` command. Settings are built once here; a bad one stops every command."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from seatflow.cli import db, floor, keys, rollout
from seatflow.cli.demo import demo_command
from seatflow.cli.serve import serve_command
from seatflow.cli.simulate import simulate_command
from seatflow.cli.worker import worker_command
from seatflow.errors import ConfigError, InvalidInput, NotFound, SeatflowError
from seatflow.logging import configure_logging
from seatflow.settings import load_settings

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
app.command("serve")(serve_command)

_errors = Console(stderr=True)


@app.callback()
def configure(ctx: typer.Context) -> None:
    """Load and check every setting before any command runs."""
    settings = load_settings()
    configure_logging(settings.log_level)
    ctx.obj = settings


def main() -> None:
    """Run the CLI; seatflow's own errors become one red line and a non-zero exit."""
    try:
        app()
    except SeatflowError as exc:
        _errors.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(exit_code(exc))


def exit_code(exc: SeatflowError) -> int:
    if isinstance(exc, ConfigError | InvalidInput):
        return 2
    if isinstance(exc, NotFound):
        return 3
    return 1
