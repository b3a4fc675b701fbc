"""What strategies and scoring see of one planning call: the request, what fits, and the floor's
state over the request's window. Built once per call so each strategy stays a cheap sort."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import free_mask
from seatflow.planning.index import Candidate, candidates_for, floor_index
from seatflow.planning.model import Occupant, PlanRequest

__all__ = ["PlanContext", "build_context"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanContext:
    """One planning call's inputs, with the candidates that fit the free tables now."""

    floor: FloorPlan
    request: PlanRequest
    free: int
    candidates: tuple[Candidate, ...]
    #: Minutes each table is taken during the service, for spreading the load.
    load: Mapping[str, int]
    #: Per table bit: free large-party combinations over the window that contain the table.
    free_large: Sequence[int]
    #: The most large-party combinations any one table belongs to (look-ahead's normaliser),
    #: kept here so scoring each candidate needs no per-floor lookup (hashing a floor is not free).
    large_share_max: int = 0


def build_context(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
) -> PlanContext:
    """Gather what fits now and the look-ahead counts, ignoring the request's own tables."""
    others = [o for o in occupants if o.booking_id != request.booking_id]
    free = free_mask(floor, request.start, request.end, others)
    fitting = tuple(c for c in candidates_for(floor, request.party_size) if c.mask & free == c.mask)
    return PlanContext(
        floor=floor,
        request=request,
        free=free,
        candidates=fitting,
        load=_table_load(others),
        free_large=_free_large(floor, free) if fitting else (),
        large_share_max=floor_index(floor).large_share_max,
    )


def _table_load(occupants: Sequence[Occupant]) -> dict[str, int]:
    """Whole minutes per table: integer sums do not depend on the occupants' order."""
    load: dict[str, int] = {}
    for occupant in occupants:
        minutes = int((occupant.end - occupant.start).total_seconds()) // 60
        for key in occupant.tables:
            load[key] = load.get(key, 0) + minutes
    return load


def _free_large(floor: FloorPlan, free: int) -> list[int]:
    """Count, per table, the large-party combinations that are entirely free and contain it."""
    index = floor_index(floor)
    counts = [0] * len(index.keys)
    for mask, bits in zip(index.large_masks, index.large_bits, strict=True):
        if mask & free == mask:
            for bit in bits:
                counts[bit] += 1
    return counts
