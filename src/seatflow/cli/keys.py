"""`seatflow keys …`: make, list and revoke API keys.

A new key is printed once, as the last line of stdout (so `| tail -n1` captures it); only its
prefix and a hash of its secret are stored, so it cannot be shown again — make a new one instead.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from seatflow.cli.runtime import connect, ready_url, settings_of
from seatflow.errors import InvalidInput, NotFound
from seatflow.store.api_keys import ApiKeyRecord, generate_key, insert_key, list_keys, revoke_key
from seatflow.store.floors import load_floor

app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
console = Console()


@app.command("create")
def create_command(
    ctx: typer.Context,
    restaurant: Annotated[
        str | None, typer.Option(help="The restaurant (slug) the key may act for.")
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="A key for every restaurant.")] = False,
) -> None:
    """Make a key for one restaurant (--restaurant SLUG) or an admin key (--admin)."""
    if admin == (restaurant is not None):
        raise InvalidInput(
            "--restaurant/--admin", "give exactly one of --restaurant SLUG or --admin"
        )
    url = ready_url(settings_of(ctx))
    key = generate_key()

    async def run() -> ApiKeyRecord:
        async with connect(url) as conn, conn.transaction():
            restaurant_id = None
            if restaurant is not None:
                restaurant_id = (await load_floor(conn, restaurant)).restaurant_id
            return await insert_key(conn, key, restaurant_id=restaurant_id)

    record = asyncio.run(run())
    scope = "admin" if record.is_admin else f"restaurant {record.restaurant_slug}"
    console.print(f"key {record.prefix} for {scope}; store it now, it is not shown again:")
    typer.echo(key.token)


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Every key: prefix, scope, created, revoked (never the secret)."""
    url = ready_url(settings_of(ctx))

    async def run() -> list[ApiKeyRecord]:
        async with connect(url) as conn:
            return await list_keys(conn)

    table = Table("prefix", "scope", "created", "revoked", title="API keys")
    for key in asyncio.run(run()):
        table.add_row(
            key.prefix,
            "admin" if key.is_admin else f"restaurant {key.restaurant_slug}",
            key.created_at.isoformat(timespec="seconds"),
            key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "",
        )
    console.print(table)


@app.command("revoke")
def revoke_command(ctx: typer.Context, prefix: str) -> None:
    """Revoke a key by its prefix (the part after `sf_`); it stops working at once."""
    url = ready_url(settings_of(ctx))

    async def run() -> bool:
        async with connect(url) as conn, conn.transaction():
            return await revoke_key(conn, prefix)

    if not asyncio.run(run()):
        raise NotFound(f"no live key with prefix {prefix!r}")
    console.print(f"revoked key {prefix}")
