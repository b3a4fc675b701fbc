"""Per-floor data the planners reuse on every call, computed once per (hashable) floor plan.

Tables become bit positions so "are these tables free?" is one integer AND; the floor's
large-party combinations are found once so look-ahead scoring only counts which are free now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from seatflow.domain.combinations import Combination, combinations_for, valid_combinations
from seatflow.domain.floor import FloorPlan

#: A party is "large" once at most this share of the floor's tables can seat it alone.
LARGE_PARTY_TABLE_SHARE = 0.25


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A combination with its table bitmask and internal adjacency count, ready to test."""

    combo: Combination
    mask: int
    bits: tuple[int, ...]
    edges: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorIndex:
    """Bit positions, capacities and the large-party combinations of one floor."""

    keys: tuple[str, ...]
    bits: dict[str, int]
    capacity: dict[str, int]
    large_party: int
    large_masks: tuple[int, ...]
    large_bits: tuple[tuple[int, ...], ...]
    #: Per table position: how many large-party combinations contain it (at most).
    large_share_max: int
    #: Masks already computed, by table set: searches ask for the same few sets thousands of times.
    _masks: dict[tuple[str, ...] | frozenset[str], int] = field(
        default_factory=dict, compare=False, repr=False
    )

    def mask_of(self, tables: tuple[str, ...] | frozenset[str]) -> int:
        """The bitmask of these tables; keys unknown to the floor are ignored."""
        known = self._masks.get(tables)
        if known is not None:
            return known
        mask = 0
        for key in tables:
            bit = self.bits.get(key)
            if bit is not None:
                mask |= 1 << bit
        if len(self._masks) < _MASK_MEMO:
            self._masks[tables] = mask
        return mask

    def tables_of(self, mask: int) -> tuple[str, ...]:
        """The sorted table keys of a bitmask."""
        return tuple(sorted(key for key, bit in self.bits.items() if mask >> bit & 1))


#: At most this many table sets remembered per floor (a floor has a few thousand combinations).
_MASK_MEMO = 65_536


@lru_cache(maxsize=256)
def floor_index(floor: FloorPlan) -> FloorIndex:
    """Build (once per floor) the bit layout and the large-party combinations."""
    keys = floor.table_keys
    bits = {key: i for i, key in enumerate(keys)}
    large = large_party_size(floor)
    large_masks = tuple(
        _mask(bits, c.tables) for c in valid_combinations(floor) if c.capacity >= large
    )
    counts = [0] * len(keys)
    for mask in large_masks:
        for i in range(len(keys)):
            counts[i] += mask >> i & 1
    return FloorIndex(
        keys=keys,
        bits=bits,
        capacity={t.key: t.capacity for t in floor.tables},
        large_party=large,
        large_masks=large_masks,
        large_bits=tuple(bits_of(mask) for mask in large_masks),
        large_share_max=max(counts, default=0),
    )


def large_party_size(floor: FloorPlan) -> int:
    """The smallest party that at most a quarter of the tables can seat alone."""
    tables = floor.tables
    party = 1
    while tables and sum(t.seats_alone(party) for t in tables) > LARGE_PARTY_TABLE_SHARE * len(
        tables
    ):
        party += 1
    return party


@lru_cache(maxsize=4096)
def candidates_for(floor: FloorPlan, party_size: int) -> tuple[Candidate, ...]:
    """Every combination that seats the party, with masks: the engine's candidate list."""
    index = floor_index(floor)
    adjacency = floor.adjacency
    result = []
    for combo in combinations_for(floor, party_size):
        mask = _mask(index.bits, combo.tables)
        edges = _edges(combo.tables, adjacency)
        result.append(Candidate(combo=combo, mask=mask, bits=bits_of(mask), edges=edges))
    return tuple(result)


@lru_cache(maxsize=4096)
def minimal_candidates(floor: FloorPlan, party_size: int) -> tuple[Candidate, ...]:
    """Candidates with no seating candidate as a proper subset.

    Re-packing only ever needs these: swapping a combination for a valid subset that still seats
    the party frees tables and breaks nothing, so dropping supersets keeps the search exact.
    """
    everything = candidates_for(floor, party_size)
    masks = [c.mask for c in everything]
    return tuple(c for c in everything if not any(m != c.mask and m & c.mask == m for m in masks))


def _mask(bits: dict[str, int], tables: tuple[str, ...]) -> int:
    mask = 0
    for key in tables:
        mask |= 1 << bits[key]
    return mask


def bits_of(mask: int) -> tuple[int, ...]:
    """The bit positions set in a mask, lowest first (one step per set bit, not per position:
    the masks of a booking's tables are sparse on a large floor)."""
    bits = []
    while mask:
        low = mask & -mask
        bits.append(low.bit_length() - 1)
        mask ^= low
    return tuple(bits)


def _edges(tables: tuple[str, ...], adjacency: frozenset[frozenset[str]]) -> int:
    members = set(tables)
    return sum(1 for pair in adjacency if pair <= members)
