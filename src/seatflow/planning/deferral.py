"""Guests at the door before guests on their way: seating a party that is here on tables booked
by a party that is not, when that party can still sit within its grace period.

A reservation whose guests stand at the door must be seated at once or they are displaced. When
no arrangement of the not-yet-seated bookings makes room on their booked times, a host looks at
the parties that have not arrived: guests may come up to `no_show_grace_minutes` late, and a table
that frees a few minutes from now seats such a party as well as one free now. So the absent
parties whose grace has not run out may be moved onto tables that free within it, their window
starting when those tables free. It is a bet that they do not come before then — taken only for
guests who would otherwise stand at the door now, and with the least delay that makes room: the
smallest step first, and each moved party's window starting as early as its new tables allow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import free_mask
from seatflow.planning.index import floor_index
from seatflow.planning.model import Occupant, Plan, PlanFailure, PlanRequest

__all__ = ["DEFER_STEP", "Deferred", "seat_deferring"]

#: How far the absent parties' windows are pushed per try (up to their grace).
DEFER_STEP = timedelta(minutes=5)

Planner = Callable[[FloorPlan, PlanRequest, Sequence[Occupant]], Plan | PlanFailure]


@dataclass(frozen=True, slots=True, kw_only=True)
class Deferred:
    """A plan seating the party now, and the window of each moved absent party that now holds
    its tables from later than it booked."""

    plan: Plan
    windows: dict[str, tuple[datetime, datetime]]


def seat_deferring(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    now: datetime,
    grace: timedelta,
    planner: Planner,
) -> Deferred | None:
    """A plan for the party at the door that delays some absent parties within their grace, or
    None when even that finds no room. `planner` is the re-pack search (plan_v3 with a budget)."""
    others = [o for o in occupants if o.booking_id != request.booking_id]
    step = DEFER_STEP
    while step <= grace:
        shifted = [_deferred(o, now + step, grace) for o in others]
        if shifted != others:
            plan = planner(floor, request, shifted)
            if isinstance(plan, Plan):
                return Deferred(plan=plan, windows=_windows(floor, request, plan, others, grace))
        step += DEFER_STEP
    return None


def _deferred(occupant: Occupant, until: datetime, grace: timedelta) -> Occupant:
    """An absent party held from `until` instead of its start, when its grace allows it."""
    if not occupant.movable or occupant.start >= until or until > occupant.start + grace:
        return occupant
    shift = until - occupant.start
    return replace(occupant, start=until, end=occupant.end + shift)


def _windows(
    floor: FloorPlan,
    request: PlanRequest,
    plan: Plan,
    others: Sequence[Occupant],
    grace: timedelta,
) -> dict[str, tuple[datetime, datetime]]:
    """Each moved party's window: from the first minute its new tables are free (never before
    its booked start), its turn kept whole."""
    moved = {m.booking_id: m for m in plan.moves}
    settled = [
        replace(o, tables=moved[o.booking_id].to_tables) if o.booking_id in moved else o
        for o in others
    ]
    settled.append(request.seated(plan.tables))
    index = floor_index(floor)
    windows: dict[str, tuple[datetime, datetime]] = {}
    for occupant in others:
        move = moved.get(occupant.booking_id)
        if move is None:
            continue
        rest = [o for o in settled if o.booking_id != occupant.booking_id]
        mask = index.mask_of(move.to_tables)
        start, latest = occupant.start, occupant.start + grace
        length = occupant.end - occupant.start
        while start < latest and mask & free_mask(floor, start, start + length, rest) != mask:
            start += timedelta(minutes=1)
        if start > occupant.start:  # only a party that really waits gets a window of its own
            windows[occupant.booking_id] = (start, start + length)
    return windows
