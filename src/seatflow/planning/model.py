"""The plain values planning takes and returns: occupants, a request, a plan or a failure.

Planning never touches the database: callers read occupancy into these values, plan, and apply
the plan themselves, so the same code runs in the worker, in shadow mode and in benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Move", "Occupant", "Plan", "PlanFailure", "PlanRequest"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Occupant:
    """A booking that holds tables over ``[start, end)`` (end includes the buffer).

    ``movable`` marks a confirmed booking that is not yet seated and starts in the future: guests
    book a time, not a table, so re-packing may give it other valid tables.
    """

    booking_id: str
    party_size: int
    start: datetime
    end: datetime
    tables: tuple[str, ...]
    movable: bool
    zone_preference: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRequest:
    """The booking to place: its party and its half-open occupancy window."""

    booking_id: str
    party_size: int
    start: datetime
    end: datetime
    zone_preference: str | None = None

    def seated(self, tables: tuple[str, ...]) -> Occupant:
        """This request as a fixed occupant of `tables` (none yet: a place still to find)."""
        return Occupant(
            booking_id=self.booking_id,
            party_size=self.party_size,
            start=self.start,
            end=self.end,
            tables=tables,
            movable=False,
            zone_preference=self.zone_preference,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Move:
    """Re-packing gives an existing booking other tables so the new one fits."""

    booking_id: str
    from_tables: tuple[str, ...]
    to_tables: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """Tables for the request, the strategy that proposed them, and any moves they need."""

    tables: tuple[str, ...]
    strategy: str
    score: float
    moves: tuple[Move, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanFailure:
    """Why no plan exists: ``party_too_large``, ``no_capacity`` or ``repack_timeout``."""

    reason: str


PARTY_TOO_LARGE = "party_too_large"
NO_CAPACITY = "no_capacity"
REPACK_TIMEOUT = "repack_timeout"
