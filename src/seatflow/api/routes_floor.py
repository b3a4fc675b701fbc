"""`/v1/restaurants/{slug}/floor`: replace a floor (admin, or that restaurant's key) and read it.

The body is the `restaurant` object of a scenario file — the same model and the same checks as
`seatflow floor import`, so the API and the CLI accept exactly the same floors and name every
problem of a bad one at once (422, each with its path in `errors`). A floor that would leave live
bookings on tables that can no longer seat them is refused (409, the bookings listed) unless
`?reassign=true` hands those bookings back to the pipeline in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from seatflow.api.auth import (
    Authenticated,
    RestaurantScope,
    Stateful,
    find_floor,
    restaurant_not_found,
)
from seatflow.api.errors import ApiError
from seatflow.api.schemas import ErrorOut, FloorRefusedOut, InvalidDocumentOut
from seatflow.documents import RestaurantDoc, parse_restaurant, restaurant_document
from seatflow.domain.floor import FloorPlan
from seatflow.errors import FloorChangeRefused, InvalidDocument
from seatflow.pipeline.floor_change import FLOOR_CHANGE, change_floor
from seatflow.pipeline.telemetry import state_transition_event
from seatflow.store.floors import load_floor

__all__ = ["REASSIGNED_HEADER", "router"]

#: How many live bookings a `?reassign=true` change handed back to the pipeline.
REASSIGNED_HEADER = "Seatflow-Reassigned"


class _FloorRoute(APIRoute):
    """A floor body FastAPI refuses is checked again as a whole document, so the 422 lists every
    problem with the same paths and words as the CLI (FastAPI alone stops at the types)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise _whole_document(exc, request.path_params.get("slug", "")) from None

        return route


router = APIRouter(tags=["floor"], route_class=_FloorRoute)
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": InvalidDocumentOut},
}


@router.put(
    "/restaurants/{slug}/floor",
    response_model=RestaurantDoc,
    responses={
        200: {
            "headers": {
                REASSIGNED_HEADER: {
                    "description": "with ?reassign=true: bookings handed back to the pipeline",
                    "schema": {"type": "integer"},
                }
            }
        },
        201: {"model": RestaurantDoc, "description": "Created"},
        409: {"model": FloorRefusedOut},
        **_ERRORS,
    },
)
async def put_floor(
    slug: str,
    floor: RestaurantDoc,
    principal: Authenticated,
    state: Stateful,
    response: Response,
    reassign: Annotated[
        bool,
        Query(
            description="Re-assign live bookings the new floor cannot seat where they are "
            "(released, back to assignment_pending, a `floor_change` job each) instead of 409."
        ),
    ] = False,
) -> RestaurantDoc:
    """Create or replace the floor; 201 when the restaurant is new (admin keys only)."""
    existing = await find_floor(state, slug)
    allowed = (
        principal.is_admin if existing is None else principal.may_access(existing.restaurant_id)
    )
    if not allowed:
        raise restaurant_not_found(slug)
    plan = _checked(floor.model_dump(mode="json"), slug)
    async with state.pool.connection() as conn, conn.transaction():
        try:
            change = await change_floor(
                conn,
                plan,
                now=state.clock.now(),
                queue=state.queue,
                actor=principal.actor,
                reassign=reassign,
            )
        except FloorChangeRefused as exc:
            raise _refused(exc) from exc
        stored = await load_floor(conn, plan.slug)
    for step in change.transitions:  # committed: announce them, saying why they happened
        state.services.sink.emit(
            state_transition_event(step, actor=principal.actor, reason=FLOOR_CHANGE)
        )
    response.status_code = 201 if change.created else 200
    if change.reassigned:
        response.headers[REASSIGNED_HEADER] = str(len(change.reassigned))
    return restaurant_document(stored.plan)


@router.get("/restaurants/{slug}/floor", response_model=RestaurantDoc, responses=_ERRORS)
async def get_floor(scope: RestaurantScope) -> RestaurantDoc:
    return restaurant_document(scope.floor.plan)


def _checked(raw: object, slug: str) -> FloorPlan:
    """The domain floor, or a 422 naming every problem (paths relative to the body)."""
    problems: list[tuple[str, str]] = []
    try:
        plan = parse_restaurant(raw, root="")
    except InvalidDocument as exc:
        problems = list(exc.problems)
    given = raw.get("slug") if isinstance(raw, dict) else None
    if isinstance(given, str) and given != slug:
        problems.append(("slug", "must equal the restaurant in the path"))
    if problems:
        raise _invalid(InvalidDocument(problems))
    return plan


def _whole_document(exc: RequestValidationError, slug: str) -> Exception:
    """The body's every problem, when the body was JSON at all; else FastAPI's own error."""
    errors = exc.errors()
    if not errors or any(e["loc"][:1] != ("body",) or e["type"] == "json_invalid" for e in errors):
        return exc
    try:
        _checked(exc.body, slug)
    except ApiError as refused:
        return refused
    return exc


def _invalid(exc: InvalidDocument) -> ApiError:
    field, detail = exc.problems[0]
    errors = [{"field": path, "detail": reason} for path, reason in exc.problems]
    return ApiError(422, "invalid_input", detail, field=field, errors=errors)


def _refused(exc: FloorChangeRefused) -> ApiError:
    bookings = [
        {
            "id": item.seating.booking_id,
            "ref": item.seating.ref,
            "start_at": item.seating.start_at.isoformat(),
            "party_size": item.seating.party_size,
            "tables": list(item.seating.tables),
            "reason": item.reason,
        }
        for item in exc.stranded
    ]
    return ApiError(409, "floor_change_strands_bookings", str(exc), bookings=bookings)
