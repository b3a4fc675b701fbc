"""Jinja2 templates of the console and the one way pages are rendered: every page gets the
signed-in user and the session's CSRF token (forms embed it; htmx sends it as a header)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from seatflow.api.ops.auth import CSRF_FIELD, CSRF_HEADER, OpsUser
from seatflow.api.ops.session import Session

__all__ = ["STATIC_DIR", "page", "templates"]

_HERE = Path(__file__).resolve().parent
STATIC_DIR = _HERE / "static"
templates = Jinja2Templates(directory=str(_HERE / "templates"))


def _local(moment: datetime | None, timezone: str = "UTC", fmt: str = "%H:%M") -> str:
    """A moment on the restaurant's clock (the host reads local time, never UTC)."""
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(timezone)).strftime(fmt)


templates.env.filters["local"] = _local
templates.env.globals.update(csrf_field=CSRF_FIELD, csrf_header=CSRF_HEADER)


def page(
    request: Request,
    name: str,
    *,
    user: OpsUser | None,
    session: Session | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The template filled in, with `user` and `csrf` (from the user's session or `session`)."""
    chosen = user.session if user is not None else session
    context.update(user=user, csrf=chosen.csrf if chosen is not None else "")
    return templates.TemplateResponse(request, name, context, status_code=status)
