"""One JSON shape for every HTTP error — `{"error", "field", "detail"}` — so a client handles all
failures one way, and the field names what to fix.

seatflow's own exception tree maps to status codes in one table here; FastAPI's request
validation, Starlette's routing errors (404/405/413) and anything unexpected are reshaped too.
A database that is away — however it shows: psycopg's OperationalError (AdminShutdown, a refused
connection), the pool's timeout, a wrapped error from the queue — is 503 `database_unavailable`
with `Retry-After`, answered by a handler of its own: Starlette re-raises what reaches the
catch-all `Exception` handler, and the server then closes the client's connection.
No handler echoes request input back, so guest details never reach a response body or a log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from procrastinate.exceptions import ProcrastinateException
from psycopg import Error as PsycopgError
from starlette.exceptions import HTTPException as StarletteHTTPException

from seatflow.errors import (
    BookingClosed,
    DatabaseUnavailable,
    HoldExpired,
    InvalidInput,
    InvalidTransition,
    NotFound,
    SeatflowError,
    TablesTaken,
    VersionConflict,
)
from seatflow.store.database import is_unavailable

__all__ = ["RETRY_AFTER_SECONDS", "ApiError", "error_body", "install_error_handlers"]

log = structlog.get_logger(__name__)

#: What a 503 `database_unavailable` tells a client to wait before trying again.
RETRY_AFTER_SECONDS = 2

#: seatflow exception → (status, error code); the first match in this order wins.
_SEATFLOW_ERRORS: tuple[tuple[type[SeatflowError], int, str], ...] = (
    (InvalidInput, 422, "invalid_input"),
    (NotFound, 404, "not_found"),
    (TablesTaken, 409, "tables_taken"),
    (BookingClosed, 409, "booking_closed"),
    (InvalidTransition, 409, "invalid_transition"),
    (VersionConflict, 409, "conflict"),
    (HoldExpired, 409, "conflict"),
)

_HTTP_ERRORS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """An HTTP error with its JSON body; `extra` adds keys (the alternatives of a 409)."""

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: object,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.field = field
        self.headers = dict(headers or {})
        self.extra = extra


def error_body(error: str, field: str | None, detail: str, **extra: object) -> dict[str, Any]:
    return {"error": error, "field": field, "detail": detail, **extra}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SeatflowError, _seatflow_error)
    app.add_exception_handler(PsycopgError, _driver_error)
    app.add_exception_handler(ProcrastinateException, _driver_error)
    app.add_exception_handler(Exception, _unexpected_error)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(
        error_body(exc.error, exc.field, exc.detail, **exc.extra),
        status_code=exc.status,
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's list of pydantic errors becomes the first one, with a dotted field name."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first: Mapping[str, Any] = errors[0] if errors else {}
    field = field_name(first.get("loc", ()), str(first.get("type", "")))
    message = str(first.get("msg", "invalid input")).removeprefix("Value error, ")
    return JSONResponse(error_body("invalid_input", field, message), status_code=422)


def field_name(loc: Sequence[str | int], error_type: str = "") -> str:
    """`("body", "guest", "name")` → `guest.name`; `("query", "wait_ms")` → `wait_ms`."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header") and len(parts) > 1:
        parts = parts[1:]
    if error_type == "json_invalid" or not parts:
        return "body"
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    error = _HTTP_ERRORS.get(exc.status_code, "http_error")
    field = "body" if exc.status_code == 413 else None
    return JSONResponse(
        error_body(error, field, str(exc.detail)),
        status_code=exc.status_code,
        headers=exc.headers,
    )


async def _seatflow_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DatabaseUnavailable):
        return _unavailable(request, exc)
    for kind, status, error in _SEATFLOW_ERRORS:
        if isinstance(exc, kind):
            field = exc.field if isinstance(exc, InvalidInput) else None
            detail = exc.reason if isinstance(exc, InvalidInput) else str(exc)
            return JSONResponse(error_body(error, field, detail), status_code=status)
    return await _unexpected_error(request, exc)


async def _driver_error(request: Request, exc: Exception) -> JSONResponse:
    """The driver's or the queue's error: 503 when the database is away, else a bug (500) —
    answered here, so the connection stays open either way."""
    if is_unavailable(exc):
        return _unavailable(request, exc)
    return await _unexpected_error(request, exc)


def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After; the app's outage watch learns of it (and probes for the return)."""
    state = getattr(request.app.state, "seatflow", None)
    outage = getattr(state, "outage", None)
    if outage is not None:
        outage.lost(exc)
    return JSONResponse(
        error_body("database_unavailable", None, "the database is unavailable; retry shortly"),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug: log its type and the route (never the body), answer a bare 500."""
    log.error(
        "api_unexpected_error",
        error_type=type(exc).__name__,
        method=request.method,
        path=request.url.path,
    )
    return JSONResponse(error_body("internal_error", None, "internal error"), status_code=500)
