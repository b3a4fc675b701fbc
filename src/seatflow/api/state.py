"""What every request handler reaches through the app: the wired services, the queue and the
metrics — built once by the lifespan, never at import time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from fastapi import Request
from psycopg_pool import AsyncConnectionPool

from seatflow.api.outage import ApiOutage
from seatflow.api.queue import AssignmentQueue
from seatflow.api.throttle import KeyLimiter
from seatflow.bootstrap import Services
from seatflow.pipeline.clock import Clock
from seatflow.pipeline.flags import Route
from seatflow.pipeline.metrics import Metrics
from seatflow.pipeline.telemetry import state_transition_event
from seatflow.settings import Settings
from seatflow.store.bookings import Transition
from seatflow.store.database import Connection
from seatflow.store.floors import FloorCache, StoredFloor
from seatflow.store.service_rules import RulesCache

__all__ = ["ApiState", "api_state", "database_gate"]

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiState:
    services: Services
    queue: AssignmentQueue
    metrics: Metrics
    url: str
    #: Each key's expensive calls in flight (create, modify, availability).
    limiter: KeyLimiter
    #: Where planning runs (`planning_pool`): never on the event loop.
    planning: Executor
    #: Whether the database is known to be away (then `/v1` answers 503 without waiting).
    outage: ApiOutage
    #: Work that outlives its request (an inline assignment past its deadline); drained at exit.
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    #: Floors by restaurant: a request reads one row to know its cached floor is current.
    floors: FloorCache = field(default_factory=FloorCache)
    #: Service rules by restaurant, current as long as the floor version is.
    rules: RulesCache = field(default_factory=RulesCache)
    #: Per restaurant: this process's acceptances queue here (see `api.acceptance`).
    reservation_locks: dict[UUID, asyncio.Lock] = field(default_factory=dict)

    @property
    def pool(self) -> AsyncConnectionPool[Connection]:
        return self.services.pool

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def hold_ttl(self) -> timedelta:
        return timedelta(seconds=self.settings.hold_seconds)

    def route_for(self, floor: StoredFloor) -> Route:
        """The restaurant's pipeline under the flags; it picks the planner that checks room."""
        return self.services.router.flags.route(floor.plan.slug, floor.restaurant_id)

    async def offload(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run pure planning on the planning pool; the event loop only awaits it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.planning, partial(fn, *args, **kwargs))

    def announce(self, steps: Iterable[Transition]) -> None:
        """State-machine events for transitions that committed: call after the commit only."""
        for step in steps:
            self.services.sink.emit(state_transition_event(step))

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `work` to its end even if the request that started it stops waiting."""
        task = asyncio.get_running_loop().create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    async def drain(self, timeout: float) -> None:
        """Let background work finish (before the pool closes); cancel what overstays."""
        if not self.background:
            return
        _, late = await asyncio.wait(set(self.background), timeout=timeout)
        for task in late:
            task.cancel()


async def database_gate(request: Request) -> None:
    """A `/v1` dependency: during a known outage, 503 at once (see api.outage)."""
    api_state(request).outage.require_up()


def api_state(request: Request) -> ApiState:
    state = getattr(request.app.state, "seatflow", None)
    assert isinstance(state, ApiState), "the lifespan builds ApiState before serving"
    return state
