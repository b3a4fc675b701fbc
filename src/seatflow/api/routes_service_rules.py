"""`/v1/restaurants/{slug}/service`: read and replace a restaurant's service rules.

The body is `ServiceRulesDoc` — service periods (with their own turn tables and pacing), closures,
no-show grace and overstay step — checked like a v2 file's restaurant by the same reader, so a bad
one gets every problem at once (422, each with its path in `errors`). Replacing is whole, in one
transaction; it moves the floor version, so no booking planned under the old rules commits beside
the new ones. The time zone is the floor's: a body may repeat it, not change it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from seatflow.api.auth import RestaurantScope, Stateful
from seatflow.api.errors import ApiError
from seatflow.api.responses import READ_RESPONSES, Responses
from seatflow.api.schemas import InvalidDocumentOut
from seatflow.documents import ServiceRulesDoc, parse_service_rules, service_rules_document
from seatflow.domain.service import ServiceRules
from seatflow.errors import InvalidDocument
from seatflow.store.service_rules import load_rules, save_rules

__all__ = ["router"]


class _RulesRoute(APIRoute):
    """A body FastAPI refuses is checked again as a whole document, so the 422 lists every
    problem with the same paths and words as `seatflow floor import` (FastAPI alone stops at
    the types)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise _whole_document(exc) from None

        return route


router = APIRouter(prefix="/restaurants/{slug}", tags=["service rules"], route_class=_RulesRoute)

_PUT_RESPONSES: Responses = {
    **READ_RESPONSES,
    422: {
        "model": InvalidDocumentOut,
        "description": "Bad rules: `field` and `detail` name the first problem, `errors` all.",
    },
}


@router.get("/service", response_model=ServiceRulesDoc, responses=READ_RESPONSES)
async def get_service_rules(scope: RestaurantScope, state: Stateful) -> ServiceRulesDoc:
    """The restaurant's service periods, closures, no-show grace and overstay step."""
    async with state.pool.connection() as conn, conn.transaction():
        rules = await load_rules(conn, scope.floor.restaurant_id)
    return service_rules_document(rules)


@router.put("/service", response_model=ServiceRulesDoc, responses=_PUT_RESPONSES)
async def put_service_rules(
    body: ServiceRulesDoc, scope: RestaurantScope, state: Stateful
) -> ServiceRulesDoc:
    """Replace the rules as a whole. Bookings already made keep their times; new requests,
    changes, the availability grid and manual assignments follow the new rules at once."""
    rules = _checked(body.model_dump(mode="json"), scope.floor.plan.timezone)
    async with state.pool.connection() as conn, conn.transaction():
        await save_rules(conn, scope.floor.restaurant_id, rules)
        saved = await load_rules(conn, scope.floor.restaurant_id)
    return service_rules_document(saved)


def _checked(raw: object, timezone: str) -> ServiceRules:
    """The domain rules, or a 422 naming every problem (paths relative to the body)."""
    problems: list[tuple[str, str]] = []
    try:
        rules = parse_service_rules(raw, timezone=timezone, root="")
    except InvalidDocument as exc:
        problems = list(exc.problems)
    given = raw.get("timezone") if isinstance(raw, dict) else None
    if isinstance(given, str) and given != timezone:
        problems.append(("timezone", f"is the floor's ({timezone}); change it with PUT …/floor"))
    if problems:
        raise _invalid(InvalidDocument(problems))
    return rules


def _whole_document(exc: RequestValidationError) -> Exception:
    """The body's every problem, when the body was a JSON object; else FastAPI's own error."""
    errors = exc.errors()
    if not errors or any(e["loc"][:1] != ("body",) or e["type"] == "json_invalid" for e in errors):
        return exc
    try:
        parse_service_rules(exc.body, timezone="UTC", root="")
    except InvalidDocument as invalid:
        return _invalid(invalid)
    return exc


def _invalid(exc: InvalidDocument) -> ApiError:
    field, detail = exc.problems[0]
    errors = [{"field": path, "detail": reason} for path, reason in exc.problems]
    return ApiError(422, "invalid_input", detail, field=field, errors=errors)
