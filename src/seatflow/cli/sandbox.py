"""Where `simulate` and `demo` run: a scratch database of their own unless told otherwise.

A simulation writes restaurants, bookings and events; in the service's database those would
mix with live data and with the evidence the rollout gate reads. So by default each run gets a
fresh database beside the configured one (same server, embedded included), dropped afterwards.
`--database URL` runs it in a database the user keeps for the purpose: the schema must be
current there (only `seatflow db migrate` changes it), everything written is marked simulated,
and a restaurant the simulation did not create is refused.

The demo keeps its database until the next demo (`demo_database`): `seatflow_demo` beside the
configured one, dropped and recreated when a demo starts, so the evening it leaves can be opened
in the ops console and drawn by `seatflow timeline` afterwards — never the service's database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import psycopg
import typer
from rich.console import Console

from seatflow.errors import InvalidInput
from seatflow.settings import Settings
from seatflow.store.database import resolve_url
from seatflow.store.migrate import require_current
from seatflow.store.scratch import DEMO_DATABASE, recreated_database, scratch_database

__all__ = ["DatabaseOption", "demo_database", "simulation_database"]

#: `--database URL` of `simulate` and `demo`.
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        help="Run in this database (one kept for simulations) instead of a scratch one.",
        show_default="a scratch database, dropped afterwards",
    ),
]

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@contextmanager
def simulation_database(
    settings: Settings, database: str | None, console: Console
) -> Iterator[str]:
    """The URL a simulation runs on: `database` when given (checked), else a scratch one."""
    if database is not None:
        yield _given(database, console)
        return
    with scratch_database(resolve_url(settings)) as url:
        console.print("running in a scratch database (dropped when the run ends)", style="dim")
        yield url


def demo_database(settings: Settings, database: str | None, console: Console) -> str:
    """Where the demo runs and what it leaves: `database` when given (checked), else
    `seatflow_demo` on the configured server, recreated now and kept after the demo."""
    if database is not None:
        return _given(database, console)
    service = resolve_url(settings)
    if psycopg.conninfo.conninfo_to_dict(service).get("dbname") == DEMO_DATABASE:
        raise InvalidInput(
            "DATABASE_URL", f"names {DEMO_DATABASE}, the database each demo drops and recreates"
        )
    url = recreated_database(service, DEMO_DATABASE)
    console.print(
        f"running in the database {DEMO_DATABASE} (recreated; kept until the next demo)",
        style="dim",
    )
    return url


def _given(database: str, console: Console) -> str:
    if not database.startswith(_POSTGRES_SCHEMES):
        raise InvalidInput("--database", "must be a postgresql:// URL")
    require_current(database)
    console.print("running in the database given by --database; its events are marked simulated")
    return database
