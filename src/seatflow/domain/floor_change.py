"""Which live bookings a new floor would strand, and why.

A booking that holds tables keeps them only while they are one valid seating for its party on
the floor — the same combinations the planners choose from. A floor change that removes a table,
shrinks it, raises its minimum, makes it uncombinable or breaks an adjacency can take that away;
those bookings must be re-assigned, or the change refused, never left on tables that cannot
seat them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from seatflow.domain.combinations import combinations_for
from seatflow.domain.floor import FloorPlan

__all__ = ["Seating", "Stranded", "seating_problem", "stranded_by"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Seating:
    """A live booking on its tables, as a floor change sees it."""

    booking_id: str
    ref: str | None
    start_at: datetime
    party_size: int
    tables: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Stranded:
    """A seating the new floor no longer allows, with the reason in words."""

    seating: Seating
    reason: str


def stranded_by(floor: FloorPlan, seatings: Iterable[Seating]) -> tuple[Stranded, ...]:
    """The seatings that are not a valid combination for their party on `floor`."""
    found = []
    for seating in seatings:
        reason = seating_problem(floor, seating.party_size, seating.tables)
        if reason is not None:
            found.append(Stranded(seating=seating, reason=reason))
    return tuple(found)


def seating_problem(floor: FloorPlan, party_size: int, tables: Iterable[str]) -> str | None:
    """None when `tables` may seat the party on `floor`; else why not."""
    chosen = tuple(sorted(tables))
    if chosen in {c.tables for c in combinations_for(floor, party_size)}:
        return None
    gone = [key for key in chosen if key not in floor.table_keys]
    if gone:
        return f"{_tables(gone)} no longer on the floor"
    if len(chosen) == 1:
        return _single_problem(floor, party_size, chosen[0])
    return _joined_problem(floor, party_size, chosen)


def _single_problem(floor: FloorPlan, party_size: int, key: str) -> str:
    table = floor.table(key)
    if party_size > table.capacity:
        return f"table {key} now seats at most {table.capacity}, the party is {party_size}"
    return f"table {key} now needs a party of at least {table.min_party}, the party is {party_size}"


def _joined_problem(floor: FloorPlan, party_size: int, chosen: tuple[str, ...]) -> str:
    members = [floor.table(key) for key in chosen]
    limit = floor.policy.max_tables_per_booking
    if len(chosen) > limit:
        return f"joins {len(chosen)} tables, the floor now allows at most {limit}"
    alone = [t.key for t in members if not t.combinable]
    if alone:
        return f"{_tables(alone)} no longer combinable"
    if len({t.zone for t in members}) > 1:
        return f"tables {', '.join(chosen)} are no longer in one zone"
    seats = sum(t.capacity for t in members)
    if seats < party_size:
        return f"tables {', '.join(chosen)} now seat {seats} together, the party is {party_size}"
    return f"tables {', '.join(chosen)} are no longer adjacent"


def _tables(keys: list[str]) -> str:
    return f"table {keys[0]} is" if len(keys) == 1 else f"tables {', '.join(keys)} are"
