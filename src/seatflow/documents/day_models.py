"""The `seatflow.scenario/v2` (service day) document as pydantic models.

The policy, restaurant and booking extend their v1 models (so a v1 file still refuses every v2
key); the events are one list tagged by `type`. `ServiceRulesDoc` is the restaurant's service
rules alone: the body in which the API will take them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt

from seatflow.documents.fields import (
    MAX_MINUTES,
    Capacity,
    ClockTime,
    Day,
    Key,
    Minutes,
    Text,
    Timestamp,
    TimeZone,
)
from seatflow.documents.models import (
    BookingDoc,
    PolicyDoc,
    RestaurantDoc,
    TurnRuleDoc,
    _Document,
)

__all__ = [
    "ArriveDoc",
    "CancelDoc",
    "ClosureDoc",
    "DayBookingDoc",
    "DayPolicyDoc",
    "DayRestaurantDoc",
    "DepartDoc",
    "EventDoc",
    "ModifyDoc",
    "PacingDoc",
    "ServiceDayDoc",
    "ServicePeriodDoc",
    "ServiceRulesDoc",
    "TableOutDoc",
]

Grace = Annotated[StrictInt, Field(ge=0, le=MAX_MINUTES)]
Weekday = Annotated[StrictInt, Field(ge=1, le=7, description="ISO weekday, 1 = Monday.")]


class PacingDoc(_Document):
    slot_minutes: Minutes = Field(description="Slots are counted from first_seating.")
    max_covers: Capacity | None = None
    max_parties: Capacity | None = None


class ServicePeriodDoc(_Document):
    key: Key
    weekdays: Annotated[list[Weekday], Field(min_length=1)]
    first_seating: ClockTime = Field(description='Local time "HH:MM", inclusive.')
    last_seating: ClockTime = Field(description='Local time "HH:MM", inclusive.')
    turn_minutes: Annotated[list[TurnRuleDoc], Field(min_length=1)] | None = Field(
        default=None, description="Replaces the policy's turn table for starts in this period."
    )
    pacing: PacingDoc | None = None


class ClosureDoc(_Document):
    date: Day
    reason: Text | None = None


class DayPolicyDoc(PolicyDoc):
    no_show_grace_minutes: Grace = 15
    overstay_step_minutes: Minutes = 15


class DayRestaurantDoc(RestaurantDoc):
    """A v2 restaurant: its floor, policy and service rules."""

    policy: DayPolicyDoc
    service_periods: list[ServicePeriodDoc] = Field(default_factory=list)
    closures: list[ClosureDoc] = Field(default_factory=list)


class DayBookingDoc(BookingDoc):
    source: Literal["online", "phone", "walk_in"] = "online"


class CancelDoc(_Document):
    type: Literal["cancel"]
    at: Timestamp
    ref: Key


class ModifyDoc(_Document):
    type: Literal["modify"]
    at: Timestamp
    ref: Key
    party_size: Capacity | None = None
    start_at: Timestamp | None = None


class ArriveDoc(_Document):
    type: Literal["arrive"]
    at: Timestamp
    ref: Key


class DepartDoc(_Document):
    type: Literal["depart"]
    at: Timestamp
    ref: Key


class TableOutDoc(_Document):
    type: Literal["table_out"]
    at: Timestamp
    table: Key
    from_: Timestamp = Field(alias="from")
    until: Timestamp


EventDoc = Annotated[
    CancelDoc | ModifyDoc | ArriveDoc | DepartDoc | TableOutDoc, Field(discriminator="type")
]


class ServiceDayDoc(_Document):
    """A whole `seatflow.scenario/v2` file."""

    format: Literal["seatflow.scenario/v2"]
    name: Text | None = None
    restaurant: DayRestaurantDoc
    bookings: list[DayBookingDoc] = Field(default_factory=list)
    events: list[EventDoc] = Field(default_factory=list, description="Sorted by `at`.")


class ServiceRulesDoc(_Document):
    """A restaurant's service rules alone (the API's body); no timezone keeps the floor's."""

    timezone: TimeZone | None = None
    service_periods: list[ServicePeriodDoc] = Field(default_factory=list)
    closures: list[ClosureDoc] = Field(default_factory=list)
    no_show_grace_minutes: Grace = 15
    overstay_step_minutes: Minutes = 15
