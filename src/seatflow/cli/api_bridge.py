"""The API's own operations, run from the terminal: same rules, same errors.

`bookings cancel`, `review assign` and `review requeue` call the very functions the HTTP routes
call (`api.bookings`, `api.review`) on an `ApiState` wired as `seatflow serve` wires it — the
services, the procrastinate queue (a requeue defers its job on the command's own connection), the
state-machine events. So a rule added to a route reaches the CLI with no second copy to forget.
The operator acts as an admin key would; the history names them `cli:<login>`. An HTTP error
becomes seatflow's: 404 NotFound (exit 3), 422 InvalidInput naming the field (exit 2), a 409 the
refusal with its code (exit 1).
"""

from __future__ import annotations

import getpass
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager

from seatflow.api.auth import Principal, Scope, find_floor
from seatflow.api.errors import ApiError
from seatflow.api.outage import ApiOutage
from seatflow.api.state import ApiState
from seatflow.api.throttle import KeyLimiter
from seatflow.bootstrap import services
from seatflow.errors import InvalidInput, NotFound, SeatflowError
from seatflow.jobs.app import build_app
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.metrics import Metrics
from seatflow.pipeline.outage import DatabaseHealth
from seatflow.settings import Settings

__all__ = ["Refused", "api_errors", "operator_scope", "operator_state"]


class Refused(SeatflowError):
    """The operation was refused."""


class _Operator(Principal):
    """An admin principal whose history entries name the login that ran the command."""

    __slots__ = ()

    @property
    def actor(self) -> str:
        return f"cli:{_login()}"


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a bare container): still say who, roughly
        return "operator"


@asynccontextmanager
async def operator_state(settings: Settings, url: str) -> AsyncIterator[ApiState]:
    """An ApiState for one command: a small pool, the event sink, the real queue."""
    metrics = Metrics()
    async with services(settings, url, pool_size=2) as svc:
        with ThreadPoolExecutor(max_workers=1) as planning:  # these operations never plan
            yield ApiState(
                services=svc,
                queue=ProcrastinateQueue(build_app()),
                metrics=metrics,
                url=url,
                limiter=KeyLimiter(1),
                planning=planning,
                outage=ApiOutage(DatabaseHealth(url, metrics, component="cli"), svc.pool),
            )


async def operator_scope(state: ApiState, slug: str) -> Scope:
    """The restaurant as an admin key sees it; NotFound when there is none."""
    floor = await find_floor(state, slug)
    if floor is None:
        raise NotFound(f"no restaurant {slug!r}")
    principal = _Operator(key_prefix="cli", restaurant_id=None, is_admin=True)
    return Scope(principal=principal, floor=floor)


@contextmanager
def api_errors() -> Iterator[None]:
    """HTTP errors of the API's operations as seatflow's own (one red line in `main`)."""
    try:
        yield
    except ApiError as exc:
        if exc.status == 404:
            raise NotFound(exc.detail) from None
        if exc.status in (400, 422):
            raise InvalidInput(_option(exc.field), exc.detail) from None
        raise Refused(f"{exc.error}: {exc.detail}") from None


def _option(field: str | None) -> str:
    """The API's field as the CLI's option (`tables[1]` → `--tables #2`)."""
    if not field:
        return "input"
    base, _, index = field.partition("[")
    option = {"tables": "--tables", "booking_id": "BOOKING"}.get(base, base)
    return f"{option} #{int(index.rstrip(']')) + 1}" if index.rstrip("]").isdigit() else option
