"""Valid table combinations of a floor, computed once per floor plan.

A booking gets one table, or 2..max_tables_per_booking tables that are all combinable, in one
zone and connected through adjacency. Which combinations exist depends only on the floor, so we
enumerate them once (connected-subgraph enumeration) and filter by party size per booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from seatflow.domain.floor import FloorPlan

#: More joined sets than this and a floor is refused: real floors have a few hundred at most
#: (60 tables, three per booking: 142), while a dense adjacency with up to 8 tables per booking
#: could demand billions, and every plan walks them all.
MAX_COMBINATIONS = 10_000


class TooManyCombinations(ValueError):
    """The adjacency and `max_tables_per_booking` allow more joined sets than we plan with."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Combination:
    """One table or a set of joined tables that may seat a party together."""

    tables: tuple[str, ...]  # sorted keys
    zone: str
    capacity: int
    min_party: int  # a lone table's minimum; 1 for joined tables (the rules set none)

    @property
    def size(self) -> int:
        return len(self.tables)

    def seats(self, party_size: int) -> bool:
        return self.min_party <= party_size <= self.capacity


@lru_cache(maxsize=256)
def valid_combinations(floor: FloorPlan) -> tuple[Combination, ...]:
    """Every single table and every valid joined set of the floor, smallest first."""
    singles = [
        Combination(tables=(t.key,), zone=t.zone, capacity=t.capacity, min_party=t.min_party)
        for t in floor.tables
    ]
    return tuple(singles) + _joined_sets(floor)


def _joined_sets(floor: FloorPlan) -> tuple[Combination, ...]:
    """Connected sets of 2..k combinable same-zone tables, each found exactly once."""
    limit = floor.policy.max_tables_per_booking
    joinable = {t.key: t for t in floor.tables if t.combinable}
    neighbours = {
        key: frozenset(n for n in near if n in joinable and joinable[n].zone == joinable[key].zone)
        for key, near in floor.neighbours().items()
        if key in joinable
    }
    found: set[frozenset[str]] = set()
    frontier = {frozenset([key]) for key in joinable}
    for size in range(2, limit + 1):
        grown: set[frozenset[str]] = set()
        for group in frontier:
            for member in group:
                for other in neighbours[member] - group:
                    grown.add(group | {other})
                    if len(found) + len(grown) > MAX_COMBINATIONS:  # stop before it explodes
                        raise TooManyCombinations(
                            f"more than {MAX_COMBINATIONS:,} joined sets of up to {size} tables"
                        )
        found |= grown
        frontier = grown
    combos = [
        Combination(
            tables=tuple(sorted(group)),
            zone=joinable[next(iter(group))].zone,
            capacity=sum(joinable[k].capacity for k in group),
            min_party=1,
        )
        for group in found
    ]
    combos.sort(key=lambda c: (c.size, c.capacity, c.tables))
    return tuple(combos)


def combinations_for(floor: FloorPlan, party_size: int) -> tuple[Combination, ...]:
    """The combinations that can seat this party, in a stable order."""
    return _by_party(floor, party_size)


@lru_cache(maxsize=4096)
def _by_party(floor: FloorPlan, party_size: int) -> tuple[Combination, ...]:
    return tuple(c for c in valid_combinations(floor) if c.seats(party_size))


def largest_party(floor: FloorPlan) -> int:
    """The biggest party any combination of the floor can seat."""
    return max((c.capacity for c in valid_combinations(floor)), default=0)
