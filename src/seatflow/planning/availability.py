"""Which tables are free over a window, given who occupies what and when.

Windows are half-open, ``[start, end)``: a booking whose occupancy ends at 21:00 does not clash
with one that starts at 21:00, so a table turns over without a gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from seatflow.domain.floor import FloorPlan
from seatflow.planning.index import FloorIndex, floor_index
from seatflow.planning.model import Occupant

__all__ = ["busy_mask", "free_mask", "free_tables", "index_busy_mask", "overlaps"]


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Two half-open windows share an instant."""
    return a_start < b_end and b_start < a_end


def busy_mask(
    floor: FloorPlan,
    window_start: datetime,
    window_end: datetime,
    occupants: Iterable[Occupant],
    exclude_booking: str | None = None,
) -> int:
    """Bitmask of the tables some occupant holds during the window."""
    return index_busy_mask(floor_index(floor), window_start, window_end, occupants, exclude_booking)


def index_busy_mask(
    index: FloorIndex,
    window_start: datetime,
    window_end: datetime,
    occupants: Iterable[Occupant],
    exclude_booking: str | None = None,
) -> int:
    """``busy_mask`` on an index already at hand (hashing a floor plan is not free)."""
    mask = 0
    for occupant in occupants:
        if occupant.booking_id == exclude_booking:
            continue
        if occupant.start < window_end and window_start < occupant.end:
            mask |= index.mask_of(occupant.tables)
    return mask


def free_mask(
    floor: FloorPlan,
    window_start: datetime,
    window_end: datetime,
    occupants: Iterable[Occupant],
    exclude_booking: str | None = None,
) -> int:
    """Bitmask of the tables nobody holds during the window."""
    everything = (1 << len(floor.tables)) - 1
    return everything & ~busy_mask(floor, window_start, window_end, occupants, exclude_booking)


def free_tables(
    floor: FloorPlan,
    window_start: datetime,
    window_end: datetime,
    occupants: Iterable[Occupant],
    exclude_booking: str | None = None,
) -> frozenset[str]:
    """Keys of the tables nobody holds during ``[window_start, window_end)``.

    ``exclude_booking`` ignores that booking's own tables, so re-planning a booking that already
    holds tables sees them as free.
    """
    mask = free_mask(floor, window_start, window_end, occupants, exclude_booking)
    return frozenset(floor_index(floor).tables_of(mask))
