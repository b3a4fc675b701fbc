"""Acceptance that reserves: a booking is accepted only if it, together with every booking already
accepted and not yet placed, can still be seated — decided atomically per restaurant.

Optimistic: read a snapshot (`store.reservations`, its connection released at once), plan on the
API's planning processes (`ApiState.offload`) with no connection held, then open the write
transaction and `claim` the restaurant's reservation version. A claim that finds the version moved
means another write changed what the restaurant has promised: read and plan again, a few times;
after that, decide behind the restaurant row's lock, where nothing can move it, so every request
terminates. One API process also queues its own acceptances per restaurant (an asyncio lock held
to the commit), so a burst into one process does not become a storm of lost claims. The first
round is planned before that lock: a refusal needs no claim (refusing on a slightly old snapshot
breaks no promise), so on a booked-up floor refusals run side by side and never wait for
acceptances.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import NoReturn
from uuid import UUID

import structlog

from seatflow.api.auth import Scope
from seatflow.api.availability import ALTERNATIVES_BUDGET, alternatives
from seatflow.api.errors import ApiError
from seatflow.api.state import ApiState
from seatflow.pipeline.availability import reserve_for_route
from seatflow.planning.model import PlanFailure, PlanRequest
from seatflow.store.database import Connection
from seatflow.store.reservations import Reservations, bump, claim, read_locked, read_snapshot

__all__ = ["OPTIMISTIC_TRIES", "reserved"]

log = structlog.get_logger(__name__)

#: Snapshot → plan → claim rounds before deciding behind the row lock.
OPTIMISTIC_TRIES = 3


class _Refused(Exception):
    """The request cannot be promised; carries why."""

    def __init__(self, failure: PlanFailure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


@asynccontextmanager
async def reserved(
    state: ApiState,
    scope: Scope,
    request: PlanRequest,
    now: datetime,
    *,
    exclude: UUID | None = None,
) -> AsyncIterator[Connection]:
    """A connection in a transaction that has claimed room for `request`: write the booking in
    it. 409 `no_availability` (with alternatives) when the promise cannot be made; `exclude` is a
    booking being modified (its own tables and claim count as free)."""
    restaurant = scope.floor.restaurant_id
    try:
        first = await _promise(state, scope, request, now, exclude)
        async with (
            state.reservation_locks.setdefault(restaurant, asyncio.Lock()),
            _claimed(state, scope, request, now, exclude, first) as conn,
        ):
            yield conn
    except _Refused as refused:  # outside the lock: alternatives must not hold up others
        await _refuse(state, scope, request, now, exclude, refused.failure)


async def _promise(
    state: ApiState,
    scope: Scope,
    request: PlanRequest,
    now: datetime,
    exclude: UUID | None,
    *,
    locked: Connection | None = None,
) -> Reservations:
    """A snapshot on which the request can be promised (read behind the restaurant row's lock
    on `locked`, else on a connection released before planning); `_Refused` otherwise."""
    floor, start, end = scope.floor, request.start, request.end
    if locked is not None:
        snapshot = await read_locked(locked, floor, start=start, end=end, now=now, exclude=exclude)
    else:
        async with state.pool.connection() as conn:
            snapshot = await read_snapshot(
                conn, floor, start=start, end=end, now=now, exclude=exclude
            )
    failure = await _plan(state, scope, request, snapshot)
    if failure is not None:
        raise _Refused(failure)
    return snapshot


@asynccontextmanager
async def _claimed(
    state: ApiState,
    scope: Scope,
    request: PlanRequest,
    now: datetime,
    exclude: UUID | None,
    snapshot: Reservations,
) -> AsyncIterator[Connection]:
    """Claim the version `snapshot` was read at; lost claims re-read and re-plan, and after
    `OPTIMISTIC_TRIES` the decision is made behind the row lock (a connection is then held
    while planning — only after the optimistic rounds kept losing)."""
    restaurant = scope.floor.restaurant_id
    for attempt in range(1, OPTIMISTIC_TRIES + 1):
        if attempt > 1:
            snapshot = await _promise(state, scope, request, now, exclude)
        async with state.pool.connection() as conn, conn.transaction():
            if await claim(conn, restaurant, snapshot.version):
                yield conn
                return
        log.info("reservation_claim_lost", restaurant=scope.slug, attempt=attempt)
    async with state.pool.connection() as conn, conn.transaction():
        await _promise(state, scope, request, now, exclude, locked=conn)
        await bump(conn, restaurant)
        yield conn


async def _plan(
    state: ApiState, scope: Scope, request: PlanRequest, snapshot: Reservations
) -> PlanFailure | None:
    """The route's reservation planner, off the event loop; None when the request fits."""
    result = await state.offload(
        reserve_for_route,
        scope.floor.plan,
        request,
        snapshot.unplaced,
        snapshot.occupants,
        state.route_for(scope.floor),
        state.settings.repack_budget_ms,
    )
    return result if isinstance(result, PlanFailure) else None


async def _refuse(
    state: ApiState,
    scope: Scope,
    request: PlanRequest,
    now: datetime,
    exclude: UUID | None,
    failure: PlanFailure,
) -> NoReturn:
    """409 `no_availability` with the nearby times create would accept."""
    times = await alternatives(
        state.pool,
        scope.floor,
        request,
        now=now,
        route=state.route_for(scope.floor),
        budget=ALTERNATIVES_BUDGET,
        exclude=exclude,
        offload=state.offload,
    )
    log.info("reservation_refused", restaurant=scope.slug, reason=failure.reason)
    raise ApiError(
        409,
        "no_availability",
        f"no room for a party of {request.party_size} at that time",
        field="start_at",
        alternatives=[t.isoformat() for t in times],
    )
