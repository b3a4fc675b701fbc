"""Reading documents into domain values: validate the whole document, report every problem at
once with its path, convert once.

`parse_scenario_text` / `parse_scenario` read a scenario file (the CLI, the simulator, the
benchmarks); `parse_restaurant` reads a floor alone (the floor API's body, tests). Nothing is
written by anyone before these succeed, so a bad document changes nothing.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from seatflow.documents.checks import Found, booking_problems, restaurant_problems
from seatflow.documents.models import BookingDoc, RestaurantDoc, ScenarioDoc
from seatflow.documents.problems import Locator, error_loc, reason_for
from seatflow.domain.combinations import TooManyCombinations, valid_combinations
from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.domain.scenario import SCENARIO_FORMAT, BookingRequest, Scenario
from seatflow.errors import InvalidDocument

__all__ = [
    "floor_plan",
    "parse_restaurant",
    "parse_scenario",
    "parse_scenario_text",
    "restaurant_document",
]

M = TypeVar("M", bound=BaseModel)
#: Formats this seatflow knows of but cannot import yet, with what to say.
NOT_YET = {
    "seatflow.scenario/v2": "seatflow.scenario/v2 (service days) cannot be imported yet; "
    f"this seatflow reads {SCENARIO_FORMAT}",
}


def parse_scenario_text(text: str) -> Scenario:
    """A scenario file's text as domain values; InvalidDocument lists every problem."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDocument([("file", f"not JSON ({exc.msg} at line {exc.lineno})")]) from exc
    return parse_scenario(document)


def parse_scenario(document: object) -> Scenario:
    """A decoded scenario file as domain values, by its declared `format`."""
    if not isinstance(document, dict):
        raise InvalidDocument([("file", "must be a JSON object")])
    _require_v1(document)
    whole = Locator(document, "file")
    floor_at = Locator(document, "file", ("restaurant",))
    restaurant = document.get("restaurant")
    bookings = booking_problems(document.get("bookings"), _zones(restaurant))
    cross = [(floor_at, found) for found in restaurant_problems(restaurant)]
    cross += [(whole, found) for found in bookings]
    scenario = _validated(ScenarioDoc, document, whole, cross)
    floor = _checked_floor(scenario.restaurant, floor_at)
    return Scenario(
        name=scenario.name or floor.slug,
        floor=floor,
        bookings=tuple(booking_request(b) for b in scenario.bookings),
    )


def parse_restaurant(raw: object, *, root: str = "restaurant", whole: str = "body") -> FloorPlan:
    """A floor alone — a scenario's `restaurant` object — as a domain FloorPlan.

    Paths start with `root` (`restaurant.tables[0] (A).capacity`); with no root they are relative
    to the object itself (`tables[0] (A).capacity`) and `whole` names it.
    """
    document = {root: raw} if root else raw
    at = Locator(document, root or whole, (root,) if root else ())
    doc = _validated(RestaurantDoc, raw, at, [(at, found) for found in restaurant_problems(raw)])
    return _checked_floor(doc, at)


def _require_v1(document: dict[str, Any]) -> None:
    """Only a v1 document is read further: another format's keys mean other things."""
    version = document.get("format")
    if version == SCENARIO_FORMAT:
        return
    if "format" not in document:
        reason = f"is required ({SCENARIO_FORMAT!r})"
    elif isinstance(version, str) and version in NOT_YET:
        reason = NOT_YET[version]
    else:
        reason = f"unknown format version {version!r}, want {SCENARIO_FORMAT!r}"
    raise InvalidDocument([("format", reason)])


def _zones(restaurant: object) -> object:
    return restaurant.get("zones") if isinstance(restaurant, dict) else None


def _validated(model: type[M], raw: object, at: Locator, cross: list[tuple[Locator, Found]]) -> M:
    """The model, or InvalidDocument with its type errors and the cross-field problems."""
    problems: list[tuple[str, str]] = []
    parsed: M | None = None
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        problems = [(at.place(error_loc(e)), reason_for(e, model)) for e in exc.errors()]
    typed = {path for path, _ in problems}
    for locator, (loc, reason) in cross:
        path = locator.place(loc)
        if path not in typed and (path, reason) not in problems:
            problems.append((path, reason))
    if problems:
        raise InvalidDocument(problems)
    assert parsed is not None
    return parsed


def _checked_floor(doc: RestaurantDoc, at: Locator) -> FloorPlan:
    """The floor, once its combinations are known to stay within what the planner can walk."""
    floor = floor_plan(doc)
    try:
        valid_combinations(floor)  # computed once here, cached for the planner
    except TooManyCombinations as exc:
        reason = f"with this adjacency the floor allows {exc}; lower it or adjoin fewer tables"
        raise InvalidDocument([(at.place(("policy", "max_tables_per_booking")), reason)]) from exc
    return floor


def floor_plan(doc: RestaurantDoc) -> FloorPlan:
    """The one conversion of a floor document into the domain's FloorPlan."""
    policy = doc.policy
    return FloorPlan(
        slug=doc.slug,
        name=doc.name or doc.slug,
        timezone=doc.timezone,
        policy=VenuePolicy(
            turn_minutes=tuple(
                TurnRule(max_party=r.max_party, minutes=r.minutes) for r in policy.turn_minutes
            ),
            buffer_minutes=policy.buffer_minutes,
            max_tables_per_booking=policy.max_tables_per_booking,
        ),
        zones=tuple(Zone(key=z.key, name=z.name or z.key) for z in doc.zones),
        tables=tuple(
            Table(
                key=t.key,
                zone=t.zone,
                capacity=t.capacity,
                min_party=t.min_party,
                combinable=t.combinable,
            )
            for t in doc.tables
        ),
        adjacency=frozenset(frozenset(pair) for pair in doc.adjacency),
    )


def booking_request(doc: BookingDoc) -> BookingRequest:
    return BookingRequest(
        ref=doc.ref,
        requested_at=doc.requested_at,
        start_at=doc.start_at,
        party_size=doc.party_size,
        zone_preference=doc.zone_preference,
        duration_minutes=doc.duration_minutes,
    )


def restaurant_document(plan: FloorPlan) -> RestaurantDoc:
    """The floor as a document: what the floor API returns, and takes back unchanged."""
    policy = plan.policy
    return RestaurantDoc.model_validate(
        {
            "slug": plan.slug,
            "name": plan.name,
            "timezone": plan.timezone,
            "policy": {
                "turn_minutes": [
                    {"max_party": r.max_party, "minutes": r.minutes} for r in policy.turn_minutes
                ],
                "buffer_minutes": policy.buffer_minutes,
                "max_tables_per_booking": policy.max_tables_per_booking,
            },
            "zones": [{"key": z.key, "name": z.name} for z in plan.zones],
            "tables": [
                {
                    "key": t.key,
                    "zone": t.zone,
                    "capacity": t.capacity,
                    "min_party": t.min_party,
                    "combinable": t.combinable,
                }
                for t in plan.tables
            ],
            "adjacency": sorted(sorted(pair) for pair in plan.adjacency),
        }
    )
