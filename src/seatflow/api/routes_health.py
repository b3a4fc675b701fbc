"""Probes and metrics, outside `/v1` and without a key: what orchestrators and Prometheus call.

`/healthz` says the process answers; `/readyz` pings the real dependencies (the database, and
that its schema is at the newest migration) so traffic only reaches a process that can serve it.
"""

from __future__ import annotations

import asyncio

import structlog
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from seatflow.api.auth import Stateful
from seatflow.store.migrate import migration_status
from seatflow.store.reads import ping

__all__ = ["router"]

log = structlog.get_logger(__name__)
router = APIRouter(tags=["health"])
PROBE_TIMEOUT = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(state: Stateful) -> JSONResponse:
    checks = {"database": "ok", "migrations": "ok"}
    try:
        async with state.pool.connection(timeout=PROBE_TIMEOUT) as conn:
            await asyncio.wait_for(ping(conn), PROBE_TIMEOUT)
    except Exception as exc:  # any failure to reach it is "not ready", never a 500
        checks["database"] = f"unreachable ({type(exc).__name__})"
    try:
        status = await asyncio.wait_for(
            asyncio.to_thread(migration_status, state.url), PROBE_TIMEOUT * 2
        )
        if not status.up_to_date:
            checks["migrations"] = f"at {status.current}, newest is {status.head}"
    except Exception as exc:
        checks["migrations"] = f"unknown ({type(exc).__name__})"
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", response_class=Response)
async def metrics(state: Stateful) -> Response:
    """Prometheus text format; the backlog gauges are refreshed from the database first."""
    try:
        async with state.pool.connection(timeout=PROBE_TIMEOUT) as conn:
            await state.metrics.refresh_backlog(conn, state.clock.now())
    except Exception as exc:  # a scrape still answers, with the last values it had
        log.warning("metrics_backlog_unavailable", error=type(exc).__name__)
    return Response(state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
