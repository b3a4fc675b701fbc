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

The restaurant's service rules are asked first in each round (hours and closures, then pacing,
`pipeline.admission`), and pacing once more in the transaction that claimed the version: the
count and the insert are one atomic step, as the tables are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import NoReturn, TypeVar
from uuid import UUID

import structlog

from seatflow.api.auth import Scope
from seatflow.api.availability import ALTERNATIVES_BUDGET, alternatives
from seatflow.api.errors import ApiError
from seatflow.api.rules import rules_refused
from seatflow.api.state import ApiState
from seatflow.api.validation import MAX_AHEAD
from seatflow.domain.service import NO_AVAILABILITY, ServiceRules
from seatflow.errors import ReservationsChanged
from seatflow.pipeline.admission import refusal_for
from seatflow.pipeline.availability import reserve_for_route
from seatflow.planning.model import PlanFailure, PlanRequest
from seatflow.store.checks import store_errors
from seatflow.store.database import Connection, lone_statements, pipelined_transaction
from seatflow.store.reservations import Reservations, bump, claim, read_locked, read_snapshot

__all__ = ["OPTIMISTIC_TRIES", "reserved"]

log = structlog.get_logger(__name__)

T = TypeVar("T")

#: Snapshot → plan → claim rounds before deciding behind the row lock.
OPTIMISTIC_TRIES = 3


class _Refused(Exception):
    """The request cannot be promised; carries why (`no_availability` or a rule's refusal)."""

    def __init__(self, reason: str, why: str | None = None) -> None:
        super().__init__(why or reason)
        self.reason = reason
        self.why = why or reason


async def reserved(
    state: ApiState,
    scope: Scope,
    request: PlanRequest,
    now: datetime,
    write: Callable[[Connection], Awaitable[T]],
    *,
    rules: ServiceRules,
    exclude: UUID | None = None,
    pipelined: bool = False,
) -> T:
    """Run `write` in a transaction that has claimed room for `request`; what it returns. 409
    (with alternatives) when the promise cannot be made: `outside_service_hours`, `closed`,
    `pacing` (the rules, checked first) or `no_availability` (the tables); `exclude` is a
    booking being modified (its own tables, claim and pacing count as free). Pacing is counted
    again in the claiming transaction, so it and the insert are one atomic step.

    `write` may run more than once: a lost claim rolls its transaction back and the round is
    planned again. `pipelined`: the transaction runs in pipeline mode, and its BEGIN, the claim
    and `write`'s statements travel together until `write` first reads (`store.creation`)."""
    restaurant = scope.floor.restaurant_id
    lock = state.reservation_locks.setdefault(restaurant, asyncio.Lock())
    try:
        snapshot = await _promise(state, scope, request, now, exclude, rules)
        async with lock:
            for attempt in range(1, OPTIMISTIC_TRIES + 1):
                if attempt > 1:
                    snapshot = await _promise(state, scope, request, now, exclude, rules)
                try:
                    return await _claimed(
                        state, scope, rules, request, exclude, snapshot, write, pipelined
                    )
                except ReservationsChanged:
                    log.info("reservation_claim_lost", restaurant=scope.slug, attempt=attempt)
            # The optimistic rounds kept losing: decide behind the row lock (a connection is
            # then held while planning), where nothing can move the version.
            async with state.pool.connection() as conn, conn.transaction():
                await _promise(state, scope, request, now, exclude, rules, locked=conn)
                await bump(conn, restaurant)
                return await write(conn)
    except _Refused as refused:  # outside the lock: alternatives must not hold up others
        await _refuse(state, scope, request, now, exclude, rules, refused)


async def _claimed(
    state: ApiState,
    scope: Scope,
    rules: ServiceRules,
    request: PlanRequest,
    exclude: UUID | None,
    snapshot: Reservations,
    write: Callable[[Connection], Awaitable[T]],
    pipelined: bool,
) -> T:
    """`write` after claiming the version `snapshot` was read at (ReservationsChanged when it
    moved: the claim fails and everything sent after it with it)."""
    async with state.pool.connection() as conn, store_errors(), _transaction(conn, pipelined):
        await claim(conn, scope.floor.restaurant_id, snapshot.version)
        await _admitted(conn, scope, rules, request, exclude)
        return await write(conn)


async def _admitted(
    conn: Connection, scope: Scope, rules: ServiceRules, request: PlanRequest, exclude: UUID | None
) -> None:
    """`_Refused` with the rule's reason when hours, a closure or pacing refuse the start."""
    reason = await refusal_for(
        conn,
        scope.floor.restaurant_id,
        rules,
        start_at=request.start,
        party_size=request.party_size,
        exclude=exclude,
    )
    if reason is not None:
        raise _Refused(reason)


async def _promise(
    state: ApiState,
    scope: Scope,
    request: PlanRequest,
    now: datetime,
    exclude: UUID | None,
    rules: ServiceRules,
    *,
    locked: Connection | None = None,
) -> Reservations:
    """A snapshot on which the request can be promised (read behind the restaurant row's lock
    on `locked`, else on a connection released before planning); `_Refused` otherwise — for
    the rules first (a full slot needs no planner run), then for the tables."""
    floor, start, end = scope.floor, request.start, request.end
    if locked is not None:
        await _admitted(locked, scope, rules, request, exclude)
        snapshot = await read_locked(locked, floor, start=start, end=end, now=now, exclude=exclude)
    else:
        async with state.pool.connection() as conn:
            async with lone_statements(conn):  # one pacing count at most (none without pacing)
                await _admitted(conn, scope, rules, request, exclude)
            snapshot = await read_snapshot(
                conn, floor, start=start, end=end, now=now, exclude=exclude
            )
    failure = await _plan(state, scope, request, snapshot)
    if failure is not None:
        raise _Refused(NO_AVAILABILITY, failure.reason)
    return snapshot


def _transaction(conn: Connection, pipelined: bool) -> AbstractAsyncContextManager[object]:
    return pipelined_transaction(conn) if pipelined else conn.transaction()


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
    rules: ServiceRules,
    refused: _Refused,
) -> NoReturn:
    """409 with the nearby times create would accept: the rule's code, else `no_availability`."""
    times = await alternatives(
        state.pool,
        scope.floor,
        request,
        now=now,
        route=state.route_for(scope.floor),
        budget=ALTERNATIVES_BUDGET,
        exclude=exclude,
        offload=state.offload,
        rules=rules,
        horizon=now + MAX_AHEAD,
    )
    log.info("reservation_refused", restaurant=scope.slug, reason=refused.why)
    if refused.reason != NO_AVAILABILITY:
        raise rules_refused(refused.reason, times)
    raise ApiError(
        409,
        "no_availability",
        f"no room for a party of {request.party_size} at that time",
        field="start_at",
        alternatives=[t.isoformat() for t in times],
    )
