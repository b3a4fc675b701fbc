"""Seating guests at the door: where a party sits now, and when it could if nothing is free.

A party that arrives keeps its assigned tables when they are free for the whole of its turn from
now (the turn runs from the moment it sits, so a late party holds them longer than booked). Else
it takes the best free valid set; else the not-yet-seated bookings are re-packed around it — the
same engine as any assignment, seated parties and pinned bookings fixed. A walk-in is the same
search with no tables of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import free_mask
from seatflow.planning.engine import plan_v3
from seatflow.planning.index import candidates_for, floor_index
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest

__all__ = [
    "KEPT",
    "allowing_lateness",
    "earliest_free",
    "own_window",
    "seat_now",
]

#: The strategy of a plan that leaves the party where it was booked.
KEPT = "kept"
#: The occupant id prefix of a table block (`store.occupancy`).
BLOCK_PREFIX = "block:"
#: Steps of the earliest-free search.
_STEP = timedelta(minutes=5)


def seat_now(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    current: tuple[str, ...] = (),
    repack_budget_ms: int,
) -> Plan | PlanFailure:
    """Tables for the party over `request`'s window: its own if they still do, else plan_v3."""
    others = [o for o in occupants if o.booking_id != request.booking_id]
    if current and _fits(floor, request, others, current):
        return Plan(tables=tuple(sorted(current)), strategy=KEPT, score=0.0)
    return plan_v3(floor, request, others, repack_budget_ms=repack_budget_ms)


def own_window(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    current: tuple[str, ...],
    booked_end: datetime,
) -> PlanRequest | None:
    """The window over which an arriving party can keep its own tables: its whole turn from
    now when they are free that long, else until the end it booked; None when not even that.

    A late party's turn runs from the moment it sits, so it may need its tables past the booked
    end, where the next booking on them starts. The caller first tries to give it the whole turn
    by a re-pack; when none exists it keeps its tables until the booked end, and if it is still
    seated then, the overstay sweep extends it and moves the next booking before it arrives —
    the same path as any overstay."""
    if not current:
        return None
    others = [o for o in occupants if o.booking_id != request.booking_id]
    if _fits(floor, request, others, current):
        return request
    if booked_end <= request.start or booked_end >= request.end:
        return None
    kept = replace(request, end=booked_end)
    # A table announced broken later in the turn is not kept: nobody sits so that their whole
    # turn would run into the block (blocks are brought forward to now for this check).
    blocked = [
        replace(o, start=request.start) if _is_block(o) and o.start < request.end else o
        for o in others
    ]
    return kept if _fits(floor, kept, blocked, current) else None


def _is_block(occupant: Occupant) -> bool:
    return occupant.booking_id.startswith(BLOCK_PREFIX)


def allowing_lateness(occupants: Sequence[Occupant], grace: timedelta) -> list[Occupant]:
    """The occupants with every booking not yet seated held `grace` longer: its guests may still
    arrive that late, and their turn then runs from when they sit. Seating a walk-in against
    these keeps room for the late — a walk-in never pushes a booked guest out."""
    return [replace(o, end=o.end + grace) if o.movable else o for o in occupants]


def earliest_free(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    until: datetime,
) -> datetime | None:
    """The first time (in steps of five minutes, from the request's start, before `until`) at
    which some valid set is free for the party's whole window as things stand; None if never."""
    length = request.end - request.start
    masks = [c.mask for c in candidates_for(floor, request.party_size)]
    others = [o for o in occupants if o.booking_id != request.booking_id]
    moment = request.start
    while masks and moment < until:
        free = free_mask(floor, moment, moment + length, others)
        if any(mask & free == mask for mask in masks):
            return moment
        moment += _STEP
    return None


def _fits(
    floor: FloorPlan, request: PlanRequest, others: Sequence[Occupant], tables: tuple[str, ...]
) -> bool:
    wanted = frozenset(tables)
    combos = candidates_for(floor, request.party_size)
    if not any(frozenset(c.combo.tables) == wanted for c in combos):
        return False  # the party changed since: its old tables no longer seat it
    mask = floor_index(floor).mask_of(tables)
    return mask & free_mask(floor, request.start, request.end, others) == mask
