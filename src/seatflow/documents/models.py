"""The `seatflow.scenario/v1` document as pydantic models: one shape for the file, the API's floor
body and the OpenAPI schema.

Every model refuses unknown keys and takes types strictly (a boolean is not a number, a number is
not a string). v2 (service days) will extend these by subclassing — its policy, restaurant and
booking add fields — so a v1 file can never carry a v2 key unnoticed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from seatflow.documents.fields import (
    MAX_MINUTES,
    Capacity,
    Key,
    Minutes,
    Slug,
    Text,
    Timestamp,
    TimeZone,
)

__all__ = [
    "BookingDoc",
    "PolicyDoc",
    "RestaurantDoc",
    "ScenarioDoc",
    "TableDoc",
    "TurnRuleDoc",
    "ZoneDoc",
]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TurnRuleDoc(_Document):
    max_party: Capacity = Field(description="The rule covers parties up to this size.")
    minutes: Minutes


class PolicyDoc(_Document):
    turn_minutes: Annotated[list[TurnRuleDoc], Field(min_length=1)] = Field(
        description="The first rule whose max_party fits the party sets its turn (file order)."
    )
    buffer_minutes: Annotated[StrictInt, Field(ge=0, le=MAX_MINUTES)] = 15
    max_tables_per_booking: Annotated[StrictInt, Field(ge=1, le=8)] = 3


class ZoneDoc(_Document):
    key: Key
    name: Text | None = None


class TableDoc(_Document):
    key: Key
    zone: Key
    capacity: Capacity
    min_party: Capacity = 1
    combinable: StrictBool = True


class RestaurantDoc(_Document):
    """A restaurant's floor: the `restaurant` object of a scenario file, and the floor API body."""

    slug: Slug
    name: Text | None = None
    timezone: TimeZone = "UTC"
    policy: PolicyDoc
    zones: list[ZoneDoc]
    tables: list[TableDoc]
    adjacency: list[Annotated[list[Key], Field(min_length=2, max_length=2)]] = Field(
        default_factory=list, description="Pairs of adjacent table keys."
    )


class BookingDoc(_Document):
    ref: Key
    requested_at: Timestamp
    start_at: Timestamp
    party_size: Capacity
    zone_preference: Key | None = None
    duration_minutes: Minutes | None = Field(
        default=None, description="Overrides the turn time of the policy."
    )


class ScenarioDoc(_Document):
    """A whole `seatflow.scenario/v1` file: one floor and its stream of booking requests."""

    format: Literal["seatflow.scenario/v1"]
    name: Text | None = None
    restaurant: RestaurantDoc
    bookings: list[BookingDoc] = Field(default_factory=list)
