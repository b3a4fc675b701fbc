"""Reading service-day documents (`seatflow.scenario/v2`) and service rules into domain values,
and any scenario document by its declared `format`.

`parse_document_text` / `parse_document` read either format (v1 → Scenario, v2 → ServiceDay);
`parse_service_rules` reads the rules alone (the API's body), `restaurant_rules` a v2
restaurant's. Every problem is reported at once with its path, as for v1.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from seatflow.documents.checks import booking_problems, restaurant_problems
from seatflow.documents.day_checks import event_problems, rules_problems, walk_in_problems
from seatflow.documents.day_models import (
    ArriveDoc,
    CancelDoc,
    ClosureDoc,
    DayBookingDoc,
    DayRestaurantDoc,
    EventDoc,
    ModifyDoc,
    ServiceDayDoc,
    ServicePeriodDoc,
    ServiceRulesDoc,
    TableOutDoc,
)
from seatflow.documents.problems import Locator
from seatflow.documents.reading import (
    _checked_floor,
    _validated,
    _zones,
    booking_request,
    parse_scenario,
)
from seatflow.domain.floor import TurnRule
from seatflow.domain.scenario import SCENARIO_FORMAT, BookingRequest, Scenario
from seatflow.domain.service import Closure, Pacing, ServicePeriod, ServiceRules
from seatflow.domain.service_day import (
    SERVICE_DAY_FORMAT,
    Arrive,
    Cancel,
    DayEvent,
    Depart,
    Modify,
    ServiceDay,
    TableOut,
)
from seatflow.errors import InvalidDocument

__all__ = [
    "FORMATS",
    "parse_document",
    "parse_document_text",
    "parse_service_day",
    "parse_service_rules",
    "restaurant_rules",
    "service_rules",
    "service_rules_document",
]

#: The scenario formats this seatflow reads.
FORMATS = (SCENARIO_FORMAT, SERVICE_DAY_FORMAT)


def parse_document_text(text: str) -> Scenario | ServiceDay:
    """A scenario file's text, v1 or v2, as domain values; InvalidDocument lists every problem."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDocument([("file", f"not JSON ({exc.msg} at line {exc.lineno})")]) from exc
    return parse_document(document)


def parse_document(document: object) -> Scenario | ServiceDay:
    """A decoded scenario file by its declared `format`."""
    if not isinstance(document, dict):
        raise InvalidDocument([("file", "must be a JSON object")])
    version = document.get("format")
    if version == SCENARIO_FORMAT:
        return parse_scenario(document)
    if version == SERVICE_DAY_FORMAT:
        return parse_service_day(document)
    known = " or ".join(repr(f) for f in FORMATS)
    if "format" not in document:
        raise InvalidDocument([("format", f"is required ({known})")])
    raise InvalidDocument([("format", f"unknown format version {version!r}, want {known}")])


def parse_service_day(document: dict[str, Any]) -> ServiceDay:
    """A decoded `seatflow.scenario/v2` file as a ServiceDay."""
    whole = Locator(document, "file")
    floor_at = Locator(document, "file", ("restaurant",))
    restaurant = document.get("restaurant")
    cross = [(floor_at, found) for found in restaurant_problems(restaurant)]
    cross += [(floor_at, found) for found in rules_problems(restaurant)]
    cross += [
        (whole, found) for found in booking_problems(document.get("bookings"), _zones(restaurant))
    ]
    cross += [(whole, found) for found in walk_in_problems(document.get("bookings"))]
    cross += [(whole, found) for found in event_problems(document)]
    day = _validated(ServiceDayDoc, document, whole, cross)
    floor = _checked_floor(day.restaurant, floor_at)
    return ServiceDay(
        name=day.name or floor.slug,
        floor=floor,
        rules=service_rules(day.restaurant),
        bookings=tuple(day_booking(b) for b in day.bookings),
        events=tuple(day_event(e) for e in day.events),
    )


def parse_service_rules(
    raw: object, *, timezone: str, root: str = "service_rules", whole: str = "body"
) -> ServiceRules:
    """Service rules alone (the API's body). The body's `timezone`, when given, wins over
    `timezone` (the floor's). Paths start with `root`; with no root `whole` names the body."""
    document = {root: raw} if root else raw
    at = Locator(document, root or whole, (root,) if root else ())
    doc = _validated(ServiceRulesDoc, raw, at, [(at, found) for found in rules_problems(raw)])
    return service_rules(doc, timezone=doc.timezone or timezone)


def restaurant_rules(raw: object, *, root: str = "restaurant", whole: str = "body") -> ServiceRules:
    """A v2 restaurant object's service rules (its floor is validated too, and must be valid)."""
    document = {root: raw} if root else raw
    at = Locator(document, root or whole, (root,) if root else ())
    cross = [(at, found) for found in restaurant_problems(raw) + rules_problems(raw)]
    return service_rules(_validated(DayRestaurantDoc, raw, at, cross))


def service_rules(
    doc: DayRestaurantDoc | ServiceRulesDoc, *, timezone: str | None = None
) -> ServiceRules:
    """The one conversion of a document's service rules into the domain's ServiceRules."""
    if isinstance(doc, DayRestaurantDoc):
        zone = timezone or doc.timezone
        grace, step = doc.policy.no_show_grace_minutes, doc.policy.overstay_step_minutes
    else:
        zone = timezone or doc.timezone or "UTC"
        grace, step = doc.no_show_grace_minutes, doc.overstay_step_minutes
    return ServiceRules(
        timezone=zone,
        periods=tuple(_period(p) for p in doc.service_periods),
        closures=tuple(_closure(c) for c in doc.closures),
        no_show_grace_minutes=grace,
        overstay_step_minutes=step,
    )


def service_rules_document(rules: ServiceRules) -> ServiceRulesDoc:
    """The rules as a document: what the API returns, and takes back unchanged."""
    return ServiceRulesDoc.model_validate(
        {
            "timezone": rules.timezone,
            "service_periods": [_period_raw(p) for p in rules.periods],
            "closures": [{"date": c.date.isoformat(), "reason": c.reason} for c in rules.closures],
            "no_show_grace_minutes": rules.no_show_grace_minutes,
            "overstay_step_minutes": rules.overstay_step_minutes,
        }
    )


def day_booking(doc: DayBookingDoc) -> BookingRequest:
    """A v2 booking is a v1 one with its source."""
    return replace(booking_request(doc), source=doc.source)


def day_event(doc: EventDoc) -> DayEvent:
    """One event document as its domain event."""
    if isinstance(doc, TableOutDoc):
        return TableOut(at=doc.at, table=doc.table, start=doc.from_, until=doc.until)
    if isinstance(doc, ModifyDoc):
        return Modify(at=doc.at, ref=doc.ref, party_size=doc.party_size, start_at=doc.start_at)
    if isinstance(doc, CancelDoc):
        return Cancel(at=doc.at, ref=doc.ref)
    if isinstance(doc, ArriveDoc):
        return Arrive(at=doc.at, ref=doc.ref)
    return Depart(at=doc.at, ref=doc.ref)


def _period(doc: ServicePeriodDoc) -> ServicePeriod:
    pacing = doc.pacing
    return ServicePeriod(
        key=doc.key,
        weekdays=frozenset(doc.weekdays),
        first_seating=doc.first_seating,
        last_seating=doc.last_seating,
        turn_minutes=None
        if doc.turn_minutes is None
        else tuple(TurnRule(max_party=r.max_party, minutes=r.minutes) for r in doc.turn_minutes),
        pacing=None
        if pacing is None
        else Pacing(
            slot_minutes=pacing.slot_minutes,
            max_covers=pacing.max_covers,
            max_parties=pacing.max_parties,
        ),
    )


def _closure(doc: ClosureDoc) -> Closure:
    return Closure(date=doc.date, reason=doc.reason)


def _period_raw(period: ServicePeriod) -> dict[str, object]:
    pacing = period.pacing
    return {
        "key": period.key,
        "weekdays": sorted(period.weekdays),
        "first_seating": period.first_seating.strftime("%H:%M"),
        "last_seating": period.last_seating.strftime("%H:%M"),
        "turn_minutes": None
        if period.turn_minutes is None
        else [{"max_party": r.max_party, "minutes": r.minutes} for r in period.turn_minutes],
        "pacing": None
        if pacing is None
        else {
            "slot_minutes": pacing.slot_minutes,
            "max_covers": pacing.max_covers,
            "max_parties": pacing.max_parties,
        },
    }
