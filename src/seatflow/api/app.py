"""The FastAPI application: `create_app(settings, url)` wires it; nothing happens at import time.

The lifespan builds the services once (pool, event sink, pipelines) and tears them down in order;
every route reaches them through `api.state`. Everything public is under `/v1` behind a bearer
key; probes and metrics sit outside it. OpenAPI is browsable at `/docs` (Swagger UI) and `/redoc`,
both served with their scripts and styles from the app itself (`fastapi-offline` ships them), so
they work on a network without a CDN. The ops console (`api.ops`) is under `/ops`, its assets
served by the app as well.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline

from seatflow import __version__
from seatflow.api import (
    routes_admin,
    routes_bookings,
    routes_floor,
    routes_health,
    routes_live_service,
    routes_review,
    routes_service_rules,
    routes_webhooks,
)
from seatflow.api.errors import install_error_handlers
from seatflow.api.limits import BodySizeLimit
from seatflow.api.ops import install_ops
from seatflow.api.outage import ApiOutage
from seatflow.api.planning_pool import planning_pool, stop_planning
from seatflow.api.queue import AssignmentQueue
from seatflow.api.state import ApiState, database_gate
from seatflow.api.throttle import KeyLimiter
from seatflow.bootstrap import Services, services
from seatflow.jobs.app import build_app
from seatflow.jobs.queue import ProcrastinateQueue
from seatflow.pipeline.clock import Clock
from seatflow.pipeline.flags import PipelineFlags
from seatflow.pipeline.metrics import Metrics
from seatflow.pipeline.outage import DatabaseHealth, ReconnectBackoff
from seatflow.settings import Settings

__all__ = ["DOCS_ASSETS", "MAX_BODY_BYTES", "create_app"]

#: Larger bodies are refused with 413 before any handler reads them.
MAX_BODY_BYTES = 64 * 1024
#: Where /docs and /redoc load their JavaScript, CSS and favicon from: this app, never a CDN.
DOCS_ASSETS = "/docs-assets"
#: At shutdown, how long inline assignments still running may take before they are cancelled.
DRAIN_SECONDS = 30.0
#: While the database is away `/v1` answers 503 at once; it is probed at most this far apart.
_API_BACKOFF = ReconnectBackoff(base=0.2, cap=1.0)


@asynccontextmanager
async def _serving_state(
    svc: Services, queue: AssignmentQueue, metrics: Metrics, url: str
) -> AsyncIterator[ApiState]:
    """What the routes reach, for as long as the app serves; torn down in order (background
    work drained before the pool closes, planning processes and the outage probe stopped)."""
    metrics.watch(svc.coordinator.breaker, svc.sink)
    planning = planning_pool()
    planning.submit(int)  # start the workers now, not on the first request
    health = DatabaseHealth(url, metrics, component="api", backoff=_API_BACKOFF)
    outage = ApiOutage(health, svc.pool)
    state = ApiState(
        services=svc,
        queue=queue,
        metrics=metrics,
        url=url,
        limiter=KeyLimiter(svc.settings.key_concurrency),
        planning=planning,
        outage=outage,
    )
    try:
        yield state
    finally:
        await state.drain(timeout=DRAIN_SECONDS)
        await stop_planning(planning)
        await outage.aclose()
        metrics.unwatch()


def create_app(
    settings: Settings,
    url: str,
    *,
    queue: AssignmentQueue | None = None,
    clock: Clock | None = None,
    flags: PipelineFlags | None = None,
    pool_size: int = 10,
) -> FastAPI:
    """The app for the database at `url` (migrated beforehand: /readyz reports when it is not).

    Bookings go to the procrastinate queue (`seatflow worker` runs them) unless `queue` says
    otherwise; deferring on the request's connection needs no open procrastinate App.
    """
    metrics = Metrics()
    chosen_queue: AssignmentQueue = queue or ProcrastinateQueue(build_app())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        wired = services(settings, url, clock=clock, flags=flags, pool_size=pool_size)
        async with wired as svc, _serving_state(svc, chosen_queue, metrics, url) as state:
            app.state.seatflow = state
            yield

    app = FastAPIOffline(
        title="seatflow",
        version=__version__,
        description="Restaurant bookings, assigned to tables. Send `Authorization: Bearer <key>`.",
        lifespan=lifespan,
        static_url=DOCS_ASSETS,
    )
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    install_error_handlers(app)
    app.include_router(routes_health.router)
    for module in (
        routes_bookings,
        routes_live_service,
        routes_review,
        routes_floor,
        routes_service_rules,
        routes_admin,
        routes_webhooks,
    ):
        app.include_router(module.router, prefix="/v1", dependencies=[Depends(database_gate)])
    install_ops(app, settings)
    return app
