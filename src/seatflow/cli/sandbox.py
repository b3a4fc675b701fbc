"""Where `simulate` and `demo` run: a scratch database of their own unless told otherwise.

A simulation writes restaurants, bookings and events; in the service's database those would
mix with live data and with the evidence the rollout gate reads. So by default each run gets a
fresh database beside the configured one (same server, embedded included), dropped afterwards.
`--database URL` runs it in a database the user keeps for the purpose: the schema must be
current there (only `seatflow db migrate` changes it), everything written is marked simulated,
and a restaurant the simulation did not create is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from seatflow.errors import InvalidInput
from seatflow.settings import Settings
from seatflow.store.database import resolve_url
from seatflow.store.migrate import require_current
from seatflow.store.scratch import scratch_database

__all__ = ["DatabaseOption", "simulation_database"]

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
        if not database.startswith(_POSTGRES_SCHEMES):
            raise InvalidInput("--database", "must be a postgresql:// URL")
        require_current(database)
        console.print(
            "running in the database given by --database; its events are marked simulated"
        )
        yield database
        return
    with scratch_database(resolve_url(settings)) as url:
        console.print("running in a scratch database (dropped when the run ends)", style="dim")
        yield url
