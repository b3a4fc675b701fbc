"""seatflow's documents — scenario files and the floor API's body — as pydantic models, read
into domain values with every problem reported at once, each with its path.

The domain stays free of pydantic: this package depends on it, and the CLI, the API, the
simulator and the benchmarks read documents only through here.
"""

from __future__ import annotations

from seatflow.documents.day_models import (
    DayBookingDoc,
    DayPolicyDoc,
    DayRestaurantDoc,
    ServiceDayDoc,
    ServiceRulesDoc,
)
from seatflow.documents.day_reading import (
    parse_document,
    parse_document_text,
    parse_service_rules,
    restaurant_rules,
    service_rules_document,
)
from seatflow.documents.models import (
    BookingDoc,
    PolicyDoc,
    RestaurantDoc,
    ScenarioDoc,
    TableDoc,
    TurnRuleDoc,
    ZoneDoc,
)
from seatflow.documents.reading import (
    floor_plan,
    parse_restaurant,
    parse_scenario,
    parse_scenario_text,
    restaurant_document,
)

__all__ = [
    "BookingDoc",
    "DayBookingDoc",
    "DayPolicyDoc",
    "DayRestaurantDoc",
    "ServiceDayDoc",
    "ServiceRulesDoc",
    "parse_document",
    "parse_document_text",
    "parse_service_rules",
    "restaurant_rules",
    "service_rules_document",
    "PolicyDoc",
    "RestaurantDoc",
    "ScenarioDoc",
    "TableDoc",
    "TurnRuleDoc",
    "ZoneDoc",
    "floor_plan",
    "parse_restaurant",
    "parse_scenario",
    "parse_scenario_text",
    "restaurant_document",
]
