"""The composition root: settings → pool → event sink → pipelines → router. Surfaces call this."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from psycopg_pool import AsyncConnectionPool

from seatflow.pipeline.clock import Clock, SystemClock
from seatflow.pipeline.coordinator import AssignmentCoordinator, CoordinatorConfig
from seatflow.pipeline.error_budget import ErrorBudget
from seatflow.pipeline.flags import PipelineFlags
from seatflow.pipeline.legacy_loop import LegacyAutoAssigner, LegacyConfig
from seatflow.pipeline.router import AutoAssignRouter
from seatflow.pipeline.shadow import ShadowExperiment
from seatflow.settings import Settings
from seatflow.store.database import Connection, open_pool
from seatflow.store.events import BatchingEventSink


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    settings: Settings
    pool: AsyncConnectionPool[Connection]
    sink: BatchingEventSink
    clock: Clock
    router: AutoAssignRouter
    coordinator: AssignmentCoordinator
    legacy: LegacyAutoAssigner


@asynccontextmanager
async def services(
    settings: Settings,
    url: str,
    *,
    clock: Clock | None = None,
    flags: PipelineFlags | None = None,
    seed: int | None = None,
    pool_size: int = 4,
    simulated: bool = False,
) -> AsyncIterator[Services]:
    """Everything wired once; the sink is flushed and the pool closed on the way out.

    `simulated` marks every event written as a simulation's, so the rollout gate leaves it out.
    """
    clock = clock or SystemClock()
    flags = flags or PipelineFlags.from_settings(settings)
    hold_ttl = timedelta(seconds=settings.hold_seconds)
    errors = ErrorBudget(max_errors=settings.max_errors)
    async with open_pool(url, max_size=pool_size, prepared=settings.prepared_statements) as pool:
        sink = BatchingEventSink(pool, simulated=simulated)
        sink.start()
        try:
            coordinator = AssignmentCoordinator(
                pool,
                sink,
                clock,
                CoordinatorConfig(
                    flags=flags,
                    hold_ttl=hold_ttl,
                    repack_budget_ms=settings.repack_budget_ms,
                    errors=errors,
                ),
                rng=random.Random(seed),
            )
            legacy = LegacyAutoAssigner(
                pool, sink, clock, LegacyConfig(hold_ttl=hold_ttl, errors=errors)
            )
            shadow = ShadowExperiment(sink, repack_budget_ms=settings.repack_budget_ms)
            router = AutoAssignRouter(pool, flags, coordinator, legacy, shadow)
            yield Services(
                settings=settings,
                pool=pool,
                sink=sink,
                clock=clock,
                router=router,
                coordinator=coordinator,
                legacy=legacy,
            )
        finally:
            await sink.aclose()
