"""`seatflow webhooks …`: register, list, enable/disable, delete webhook endpoints; read their
delivery log; replay events. On the database directly, like `seatflow keys` (docs/webhooks.md).

`--restaurant SLUG` acts on that restaurant's endpoints; without it, on the admin-wide ones. A
new endpoint's secret is printed once, as the last line of stdout (`| tail -n1` captures it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from seatflow.cli.runtime import connect, current_url, ready_url, settings_of
from seatflow.domain.webhooks import EVENT_TYPES, generate_secret
from seatflow.errors import InvalidInput, NotFound
from seatflow.pipeline.webhook_delivery import check_receiver_url
from seatflow.store import webhooks as store
from seatflow.store.database import Connection
from seatflow.store.floors import load_floor

app = typer.Typer(
    help="Webhook endpoints: add, list, disable, delete, log, replay.", no_args_is_help=True
)
console = Console()
T = TypeVar("T")

Restaurant = Annotated[
    str | None,
    typer.Option(help="The restaurant (slug); without it, the admin-wide endpoints."),
]
EndpointId = Annotated[str, typer.Argument(help="The endpoint's id (see `webhooks list`).")]


def _run(url: str, work: Callable[[Connection, UUID | None], Awaitable[T]], slug: str | None) -> T:
    """Run `work(conn, owner)` in one transaction, the owner being the restaurant's id or None."""

    async def run() -> T:
        async with connect(url) as conn, conn.transaction():
            owner = None if slug is None else (await load_floor(conn, slug)).restaurant_id
            return await work(conn, owner)

    return asyncio.run(run())


def _endpoint_id(text: str, field: str = "ENDPOINT_ID") -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput(field, f"not an id: {text!r}") from None


def _moment(text: str | None, field: str) -> datetime | None:
    """An ISO-8601 time with its UTC offset (a naive one would be read in some time zone)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(field, f"not an ISO-8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise InvalidInput(field, "needs a UTC offset, e.g. 2026-12-01T18:00:00+00:00 or …Z")
    return moment


def _types(events: list[str] | None) -> tuple[str, ...]:
    for event in events or ():
        if event not in EVENT_TYPES:
            raise InvalidInput(
                "--event", f"unknown event type {event!r}; use {', '.join(EVENT_TYPES)}"
            )
    return tuple(sorted(set(events))) if events else tuple(EVENT_TYPES)


@app.command("add")
def add_command(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The receiver: http:// or https://.")],
    restaurant: Restaurant = None,
    event: Annotated[
        list[str] | None, typer.Option(help="An event type wanted (repeat); default: all.")
    ] = None,
    description: Annotated[str | None, typer.Option(help="A note for people.")] = None,
) -> None:
    """Register a receiver; its signing secret is printed once, as the last line."""
    settings = settings_of(ctx)
    checked = asyncio.run(check_receiver_url(url, allow_private=settings.webhook_allow_private))
    secret = generate_secret()
    types = _types(event)

    async def work(conn: Connection, owner: UUID | None) -> store.EndpointRecord:
        new = store.NewEndpoint(
            restaurant_id=owner,
            url=checked,
            event_types=types,
            secret=secret,
            description=description,
        )
        return await store.insert_endpoint(conn, new)

    record = _run(ready_url(settings), work, restaurant)
    console.print(f"endpoint {record.id} for {_scope(record)}; store its secret now:")
    typer.echo(secret)


@app.command("list")
def list_command(ctx: typer.Context, restaurant: Restaurant = None) -> None:
    """The endpoints: id, URL, types, state, pending deliveries (never the secret)."""

    async def work(conn: Connection, owner: UUID | None) -> list[store.EndpointRecord]:
        return await store.endpoints_of(conn, owner)

    table = Table("id", "url", "events", "state", "pending", title="webhook endpoints")
    for record in _run(current_url(settings_of(ctx)), work, restaurant):
        state = "failing" if record.failing_since else "enabled" if record.enabled else "disabled"
        table.add_row(
            str(record.id), record.url, ", ".join(record.event_types), state, str(record.pending)
        )
    console.print(table)


def _set_enabled(ctx: typer.Context, endpoint: str, restaurant: str | None, on: bool) -> None:
    endpoint_id = _endpoint_id(endpoint)

    async def work(conn: Connection, owner: UUID | None) -> store.EndpointRecord | None:
        change = store.EndpointChange(enabled=on)
        return await store.update_endpoint(conn, owner, endpoint_id, change)

    if _run(ready_url(settings_of(ctx)), work, restaurant) is None:
        raise NotFound(f"no webhook endpoint {endpoint_id} for {restaurant or 'admin'}")
    console.print(f"endpoint {endpoint_id} {'enabled' if on else 'disabled'}")


@app.command("enable")
def enable_command(ctx: typer.Context, endpoint: EndpointId, restaurant: Restaurant = None) -> None:
    """Enable an endpoint again (it is no longer failing)."""
    _set_enabled(ctx, endpoint, restaurant, True)


@app.command("disable")
def disable_command(
    ctx: typer.Context, endpoint: EndpointId, restaurant: Restaurant = None
) -> None:
    """Stop sending to an endpoint; events meanwhile are not queued for it."""
    _set_enabled(ctx, endpoint, restaurant, False)


@app.command("delete")
def delete_command(ctx: typer.Context, endpoint: EndpointId, restaurant: Restaurant = None) -> None:
    """Delete an endpoint and its delivery log."""
    endpoint_id = _endpoint_id(endpoint)

    async def work(conn: Connection, owner: UUID | None) -> bool:
        return await store.delete_endpoint(conn, owner, endpoint_id)

    if not _run(ready_url(settings_of(ctx)), work, restaurant):
        raise NotFound(f"no webhook endpoint {endpoint_id} for {restaurant or 'admin'}")
    console.print(f"deleted endpoint {endpoint_id}")


async def _owned(conn: Connection, owner: UUID | None, endpoint_id: UUID) -> None:
    if store.owned(await store.endpoints_of(conn, owner, endpoint_id=endpoint_id)) is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}")


@app.command("deliveries")
def deliveries_command(
    ctx: typer.Context,
    endpoint: EndpointId,
    restaurant: Restaurant = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Newest first.")] = 20,
) -> None:
    """The endpoint's delivery log: event, status, attempts, last answer, latency."""
    endpoint_id = _endpoint_id(endpoint)

    async def work(conn: Connection, owner: UUID | None) -> list[store.DeliveryRecord]:
        await _owned(conn, owner, endpoint_id)
        return await store.deliveries_of(conn, endpoint_id, limit=limit)

    table = Table("event", "type", "status", "attempts", "last", "ms", title="deliveries")
    for row in _run(current_url(settings_of(ctx)), work, restaurant):
        last = str(row.last_status_code or row.last_error or "")
        ms = "" if row.latency_ms is None else f"{row.latency_ms:.0f}"
        table.add_row(str(row.event_id), row.event_type, row.status, str(row.attempts), last, ms)
    console.print(table)


@app.command("replay")
def replay_command(
    ctx: typer.Context,
    endpoint: EndpointId,
    restaurant: Restaurant = None,
    event: Annotated[str | None, typer.Option(help="One event's id.")] = None,
    since: Annotated[str | None, typer.Option(help="Events from (ISO-8601, with offset).")] = None,
    until: Annotated[
        str | None, typer.Option(help="Events before (ISO-8601, with offset).")
    ] = None,
) -> None:
    """Send again, now, one event (--event) or the events of a range (--since [--until])."""
    if (event is None) == (since is None) or (event is not None and until is not None):
        raise InvalidInput("--event/--since", "give --event ID, or --since (and --until)")
    endpoint_id = _endpoint_id(endpoint)
    selection = store.ReplaySelection(
        event_id=None if event is None else _endpoint_id(event, "--event"),
        since=_moment(since, "--since"),
        until=_moment(until, "--until"),
    )

    async def work(conn: Connection, owner: UUID | None) -> int:
        await _owned(conn, owner, endpoint_id)
        return await store.replay(conn, endpoint_id, selection)

    count = _run(ready_url(settings_of(ctx)), work, restaurant)
    console.print(f"{count} deliveries queued again")


def _scope(record: store.EndpointRecord) -> str:
    return "every restaurant" if record.restaurant_slug is None else record.restaurant_slug
