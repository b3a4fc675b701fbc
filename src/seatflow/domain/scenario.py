"""A scenario as domain values: one restaurant's floor and its stream of booking requests.

Reading a `seatflow.scenario/v1` file into these values (and refusing a bad one, every problem
named) is `seatflow.documents`' job; the domain only holds what a valid file means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seatflow.domain.floor import FloorPlan

SCENARIO_FORMAT = "seatflow.scenario/v1"
RESULT_FORMAT = "seatflow.result/v1"


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingRequest:
    """One guest request of a scenario stream."""

    ref: str
    requested_at: datetime
    start_at: datetime
    party_size: int
    zone_preference: str | None = None
    duration_minutes: int | None = None
    #: How the request came in (`service_day.Source`): v1 streams are all online.
    source: str = "online"


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str
    floor: FloorPlan
    bookings: tuple[BookingRequest, ...]
