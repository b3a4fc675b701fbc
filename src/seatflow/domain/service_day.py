"""A service day (`seatflow.scenario/v2`) as domain values: a floor, its service rules, the
booking requests and what happens to them afterwards (cancellations, changes, arrivals,
departures, broken tables), in time order.

Reading a file into these values is `seatflow.documents`' job; here is only what one means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from seatflow.domain.floor import FloorPlan
from seatflow.domain.scenario import BookingRequest
from seatflow.domain.service import ServiceRules

__all__ = [
    "DAY_RESULT_FORMAT",
    "SERVICE_DAY_FORMAT",
    "Arrive",
    "Cancel",
    "DayEvent",
    "Depart",
    "Modify",
    "ServiceDay",
    "Source",
    "TableOut",
]

SERVICE_DAY_FORMAT = "seatflow.scenario/v2"
DAY_RESULT_FORMAT = "seatflow.result/v2"


class Source(StrEnum):
    """How a booking came in; a walk-in is at the door and must be seated now or turned away."""

    ONLINE = "online"
    PHONE = "phone"
    WALK_IN = "walk_in"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cancel:
    """The guest cancels; the tables are free from `at`."""

    kind: ClassVar[str] = "cancel"
    at: datetime
    ref: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Modify:
    """The guest asks for another party size and/or start; accepted only if it can be seated."""

    kind: ClassVar[str] = "modify"
    at: datetime
    ref: str
    party_size: int | None = None
    start_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.party_size is None and self.start_at is None:
            raise ValueError("a modification changes party_size and/or start_at")


@dataclass(frozen=True, slots=True, kw_only=True)
class Arrive:
    """The guests walk in."""

    kind: ClassVar[str] = "arrive"
    at: datetime
    ref: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Depart:
    """The guests leave; their tables are free from `at` plus the buffer."""

    kind: ClassVar[str] = "depart"
    at: datetime
    ref: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TableOut:
    """Announced at `at`: `table` cannot be used in [start, until) (the file's `from`)."""

    kind: ClassVar[str] = "table_out"
    at: datetime
    table: str
    start: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.until <= self.start:
            raise ValueError(f"until {self.until} must be after from {self.start}")


DayEvent = Cancel | Modify | Arrive | Depart | TableOut


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceDay:
    """One restaurant over one or more days: its requests, and its events sorted by `at`."""

    name: str
    floor: FloorPlan
    rules: ServiceRules
    bookings: tuple[BookingRequest, ...]
    events: tuple[DayEvent, ...] = ()
