"""Large-neighbourhood re-packing on big floors: one zone at a time, few bookings movable.

A combination never spans zones, so the request sits in one zone, and only the bookings holding
that zone's tables while it is there can be in its way. A neighbourhood is such a zone with the
movable bookings on its tables that overlap the request's window; they may move anywhere on the
floor that is free of everyone else, who stays where they sit. Each neighbourhood's model has
tens of bookings where the whole floor's has hundreds, so it builds and solves in milliseconds
to a few hundred; the price is that a chain of moves reaching beyond the request's window or
through another zone's bookings is not explored.

Zones come most promising first: the request's wished zone, then those with the most of the
request's combinations that no fixed (seated or held) booking blocks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import index_busy_mask
from seatflow.planning.index import floor_index, minimal_candidates
from seatflow.planning.model import Occupant, PlanRequest
from seatflow.planning.overlap import overlap_component

__all__ = ["Neighbourhood", "neighbourhoods"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Neighbourhood:
    """The request's tables (a zone's mask), who may move, and who stays put."""

    zone: str
    tables: int
    movable: tuple[Occupant, ...]
    fixed: tuple[Occupant, ...]


def neighbourhoods(
    floor: FloorPlan, request: PlanRequest, others: Sequence[Occupant], *, wide: bool = False
) -> Iterator[Neighbourhood]:
    """One neighbourhood per zone that could seat the request, most promising first. `wide`
    also lets the zone's bookings chained to those by overlaps move (longer chains of moves)."""
    index = floor_index(floor)
    zone_mask: dict[str, int] = {}
    for table in floor.tables:
        zone_mask[table.zone] = zone_mask.get(table.zone, 0) | 1 << index.bits[table.key]
    blocked = index_busy_mask(
        index, request.start, request.end, [o for o in others if not o.movable]
    )
    open_per_zone: dict[str, int] = {}
    for candidate in minimal_candidates(floor, request.party_size):
        if not candidate.mask & blocked:
            zone = candidate.combo.zone
            open_per_zone[zone] = open_per_zone.get(zone, 0) + 1
    order = sorted(
        open_per_zone,
        key=lambda z: (z != request.zone_preference, -open_per_zone[z], z),
    )
    for zone in order:
        yield _neighbourhood(floor, request, others, zone, zone_mask[zone], wide)


def _neighbourhood(
    floor: FloorPlan,
    request: PlanRequest,
    others: Sequence[Occupant],
    zone: str,
    tables: int,
    wide: bool,
) -> Neighbourhood:
    index = floor_index(floor)
    in_zone = sorted(
        (o for o in others if o.movable and index.mask_of(o.tables) & tables), key=_stable_order
    )
    if wide:
        chosen = overlap_component(request.start, request.end, in_zone)
    else:
        chosen = [o for o in in_zone if o.start < request.end and request.start < o.end]
    picked = {id(o) for o in chosen}
    fixed = [o for o in others if id(o) not in picked]
    movable = chosen
    return Neighbourhood(zone=zone, tables=tables, movable=tuple(movable), fixed=tuple(fixed))


def _stable_order(occupant: Occupant) -> tuple[object, ...]:
    """By what the booking is, not its id (the solver breaks ties in variable order)."""
    o = occupant
    return (o.start, o.end, o.party_size, tuple(sorted(o.tables)), o.booking_id)
