"""The ops console: server-rendered pages under `/ops` for the host and the engineer rolling V3
out — day sheet, floor timeline, review queue, rollout charts. Jinja2 templates, htmx for the
parts that refresh or act in place, uPlot for the charts; every script and style is served from
`/ops/static` by the app itself, so the console works on a network without a CDN.

Reads go through the store's read models and actions through the very functions the HTTP API
calls (`api.review`, `api.live_service`), so the console and the API can never disagree.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from seatflow.api.ops import (
    routes_booking,
    routes_day,
    routes_review,
    routes_rollout,
    routes_signin,
)
from seatflow.api.ops.auth import OpsError, SignInNeeded
from seatflow.api.ops.render import STATIC_DIR, page
from seatflow.api.ops.session import SessionCodec, session_secret
from seatflow.api.state import database_gate
from seatflow.settings import Settings

__all__ = ["install_ops"]


def install_ops(app: FastAPI, settings: Settings) -> None:
    """Mount the console's pages, its static files and its two error handlers on `app`."""
    app.state.ops_sessions = SessionCodec(session_secret(settings.session_secret))
    app.mount("/ops/static", StaticFiles(directory=STATIC_DIR), name="ops-static")
    for module in (routes_signin, routes_day, routes_review, routes_booking, routes_rollout):
        app.include_router(module.router, dependencies=[Depends(database_gate)])
    app.add_exception_handler(OpsError, _ops_error)  # type: ignore[arg-type]
    app.add_exception_handler(SignInNeeded, _sign_in)  # type: ignore[arg-type]


async def _ops_error(request: Request, exc: OpsError) -> Response:
    return page(request, "error.html", user=None, status=exc.status, message=exc.message)


async def _sign_in(request: Request, exc: SignInNeeded) -> Response:
    target = f"/ops/signin?next={quote(exc.then, safe='/')}"
    if request.headers.get("HX-Request"):  # htmx follows this header with a full page load
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
