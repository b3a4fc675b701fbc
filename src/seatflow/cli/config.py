"""`seatflow config show`: every setting as this process sees it, secrets redacted.

Printed as `.env` lines (`VARIABLE=value`) with where each value came from as a comment, so the
output can be compared, grepped or pasted into a `.env`.
"""

from __future__ import annotations

import typer

from seatflow.cli.runtime import settings_of
from seatflow.settings import effective_settings

app = typer.Typer(help="The effective configuration.", no_args_is_help=True)


@app.command("show")
def show_command(ctx: typer.Context) -> None:
    """Print each setting's variable, effective value (passwords hidden) and source."""
    rows = effective_settings(settings_of(ctx))
    assignments = [f"{row.variable}={row.value}" for row in rows]
    width = max(len(text) for text in assignments)
    for text, row in zip(assignments, rows, strict=True):
        typer.echo(f"{text.ljust(width)}  # {row.source.value}")
