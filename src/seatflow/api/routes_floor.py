"""`/v1/restaurants/{slug}/floor`: replace a floor (admin, or that restaurant's key) and read it.

The body is the `restaurant` object of a scenario file and goes through the same parser as
`seatflow floor import`, so the API and the CLI accept exactly the same floors.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Response

from seatflow.api.auth import (
    Authenticated,
    RestaurantScope,
    Stateful,
    find_floor,
    restaurant_not_found,
)
from seatflow.api.schemas import ErrorOut, FloorDoc, PolicyDoc, TableDoc, TurnRuleDoc, ZoneDoc
from seatflow.api.validation import invalid
from seatflow.domain.floor import FloorPlan
from seatflow.domain.scenario import parse_restaurant
from seatflow.errors import InvalidScenario
from seatflow.store.floors import import_floor, load_floor

__all__ = ["floor_document", "parse_floor", "router"]

router = APIRouter(tags=["floor"])
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


@router.put(
    "/restaurants/{slug}/floor",
    response_model=FloorDoc,
    responses={201: {"model": FloorDoc, "description": "Created"}, **_ERRORS},
)
async def put_floor(
    slug: str, floor: FloorDoc, principal: Authenticated, state: Stateful, response: Response
) -> FloorDoc:
    """Create or replace the floor; 201 when the restaurant is new (admin keys only)."""
    existing = await find_floor(state, slug)
    allowed = (
        principal.is_admin if existing is None else principal.may_access(existing.restaurant_id)
    )
    if not allowed:
        raise restaurant_not_found(slug)
    plan = parse_floor(slug, floor)
    async with state.pool.connection() as conn, conn.transaction():
        await import_floor(conn, plan)
        stored = await load_floor(conn, plan.slug)
    response.status_code = 201 if existing is None else 200
    return floor_document(stored.plan)


@router.get("/restaurants/{slug}/floor", response_model=FloorDoc, responses=_ERRORS)
async def get_floor(scope: RestaurantScope) -> FloorDoc:
    return floor_document(scope.floor.plan)


def parse_floor(slug: str, floor: FloorDoc) -> FloorPlan:
    """The domain floor, or a 422 naming the field (relative to the body) and the reason."""
    try:
        plan = parse_restaurant(floor.model_dump(mode="json"))
    except InvalidScenario as exc:
        field = exc.field.removeprefix("restaurant").removeprefix(".") or "body"
        raise invalid(field, exc.reason) from exc
    if plan.slug != slug:
        raise invalid("slug", "must equal the restaurant in the path")
    try:
        ZoneInfo(plan.timezone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise invalid("timezone", "unknown IANA time zone, e.g. Europe/Paris") from None
    return plan


def floor_document(plan: FloorPlan) -> FloorDoc:
    """The floor as a scenario's `restaurant` object: what PUT takes, GET returns."""
    policy = plan.policy
    return FloorDoc(
        slug=plan.slug,
        name=plan.name,
        timezone=plan.timezone,
        policy=PolicyDoc(
            turn_minutes=[
                TurnRuleDoc(max_party=r.max_party, minutes=r.minutes) for r in policy.turn_minutes
            ],
            buffer_minutes=policy.buffer_minutes,
            max_tables_per_booking=policy.max_tables_per_booking,
        ),
        zones=[ZoneDoc(key=z.key, name=z.name) for z in plan.zones],
        tables=[
            TableDoc(
                key=t.key,
                zone=t.zone,
                capacity=t.capacity,
                min_party=t.min_party,
                combinable=t.combinable,
            )
            for t in plan.tables
        ],
        adjacency=sorted(sorted(pair) for pair in plan.adjacency),
    )
