"""The floor plan: zones, tables, adjacency and the venue policy that sets occupancy windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache


@dataclass(frozen=True, slots=True, kw_only=True)
class Zone:
    key: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    key: str
    zone: str
    capacity: int
    min_party: int = 1
    combinable: bool = True

    def seats_alone(self, party_size: int) -> bool:
        """A single table seats a party between its minimum and its capacity."""
        return self.min_party <= party_size <= self.capacity


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnRule:
    max_party: int
    minutes: int


@dataclass(frozen=True, slots=True, kw_only=True)
class VenuePolicy:
    """How long a party keeps its tables, and how many tables one booking may join."""

    turn_minutes: tuple[TurnRule, ...]
    buffer_minutes: int = 15
    max_tables_per_booking: int = 3

    def turn_for(self, party_size: int, duration_minutes: int | None = None) -> int:
        """The turn is an explicit duration, else the first rule whose max_party fits the party."""
        if duration_minutes is not None:
            return duration_minutes
        for rule in self.turn_minutes:
            if rule.max_party >= party_size:
                return rule.minutes
        return self.turn_minutes[-1].minutes

    def occupancy(
        self, start: datetime, party_size: int, duration_minutes: int | None = None
    ) -> tuple[datetime, datetime]:
        """The half-open window [start, start + turn + buffer) during which tables are taken."""
        turn = self.turn_for(party_size, duration_minutes)
        return start, start + timedelta(minutes=turn + self.buffer_minutes)


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorPlan:
    """One restaurant's floor. Hashable, so derived data (combinations) is computed once.

    The hash is computed once per object: derived data is looked up by floor on every planning
    call, and hashing a whole floor (every table, zone and adjacency pair) each time cost more
    than the lookup saved. It is never pickled: another process salts string hashes otherwise.
    """

    slug: str
    name: str
    timezone: str = "UTC"
    policy: VenuePolicy
    zones: tuple[Zone, ...]
    tables: tuple[Table, ...]
    adjacency: frozenset[frozenset[str]] = field(default_factory=frozenset)
    _hash: int | None = field(default=None, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        cached = self._hash
        if cached is None:
            cached = hash(self._identity())
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self) -> tuple[object, ...]:
        return self._identity()

    def __setstate__(self, state: tuple[object, ...]) -> None:
        for name, value in zip(_FLOOR_FIELDS, state, strict=True):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_hash", None)

    def _identity(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _FLOOR_FIELDS)

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def neighbours(self) -> dict[str, frozenset[str]]:
        """Adjacency as an undirected neighbour map."""
        result: dict[str, set[str]] = {t.key: set() for t in self.tables}
        for pair in self.adjacency:
            a, b = tuple(pair)
            result[a].add(b)
            result[b].add(a)
        return {key: frozenset(values) for key, values in result.items()}

    @property
    def table_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.tables)


@lru_cache(maxsize=256)
def interned(floor: FloorPlan) -> FloorPlan:
    """The first floor seen equal to `floor`. A floor sent to another process arrives as a new
    object, and every cache keyed by floor would compare it field by field on each lookup;
    interned once on arrival, later lookups match by identity."""
    return floor


#: The fields that make a floor what it is (all but the cached hash).
_FLOOR_FIELDS = ("slug", "name", "timezone", "policy", "zones", "tables", "adjacency")
