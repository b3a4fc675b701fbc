"""`seatflow db …`: migrate, status, url, and stopping the embedded server."""

from __future__ import annotations

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from seatflow.cli.runtime import settings_of
from seatflow.errors import InvalidInput
from seatflow.store.database import resolve_url, unreachable
from seatflow.store.embedded import stop_embedded_server
from seatflow.store.migrate import MigrationStatus, migrate, migration_status

app = typer.Typer(help="The database: migrations, status and a URL for psql.", no_args_is_help=True)
console = Console()


@app.command("migrate")
def migrate_command(ctx: typer.Context) -> None:
    """Apply every pending migration."""
    status = migrate(resolve_url(settings_of(ctx)))
    console.print(f"schema at revision [bold]{status.current}[/] (head {status.head})")


@app.command("status")
def status_command(ctx: typer.Context) -> None:
    """Show the migration version, the server and the database."""
    settings = settings_of(ctx)
    url = resolve_url(settings)
    status = migration_status(url)
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT version(), current_database()").fetchone()
    except psycopg.OperationalError as exc:
        raise unreachable(url, exc) from exc
    assert row is not None
    table = Table(show_header=False)
    table.add_row("server", "embedded (pgserver)" if not settings.database_url else "DATABASE_URL")
    table.add_row("version", str(row[0]).split(" on ")[0])
    table.add_row("database", str(row[1]))
    table.add_row("migration", f"{status.current or 'none'} (head {status.head})")
    table.add_row("up to date", _freshness(status))
    console.print(table)


def _freshness(status: MigrationStatus) -> str:
    if status.up_to_date:
        return "yes"
    if status.ahead:
        return "no — the schema is newer than this seatflow: upgrade seatflow"
    return "no — run `seatflow db migrate`"


@app.command("stop")
def stop_command(ctx: typer.Context) -> None:
    """Stop the embedded PostgreSQL (it starts again on the next command that needs it)."""
    settings = settings_of(ctx)
    if settings.database_url:
        raise InvalidInput(
            "DATABASE_URL", "is set: `db stop` stops only the embedded server; stop yours yourself"
        )
    pid = stop_embedded_server(settings.data_dir)
    if pid is None:
        console.print("the embedded server is not running")
    else:
        console.print(f"stopped the embedded server (pid {pid})")


@app.command("url")
def url_command(ctx: typer.Context) -> None:
    """Print a URL that psql can open (the embedded server's too)."""
    typer.echo(resolve_url(settings_of(ctx)))
