"""One occupancy index for many windows: the busy tables of any window by bisection.

A day's availability asks "which tables are taken over [start, end)?" for 48 starts on the
same snapshot; scanning every occupant each time cost most of a booked-up 500-table day. The
occupants' start and end instants cut the day into elementary segments, each with the mask of
the tables taken throughout it; a window's busy mask is the OR of the segments it overlaps
(tens, where the occupants are hundreds). Built once per snapshot, in one pass.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime

from seatflow.planning.index import FloorIndex
from seatflow.planning.model import Occupant

__all__ = ["OccupancyIndex"]


class OccupancyIndex:
    """The tables busy over any half-open window, for one fixed set of occupants."""

    def __init__(self, index: FloorIndex, occupants: Sequence[Occupant]) -> None:
        self._bounds = sorted({o.start for o in occupants} | {o.end for o in occupants})
        self._masks = [0] * max(len(self._bounds) - 1, 0)
        for occupant in occupants:
            mask = index.mask_of(occupant.tables)
            first = bisect_left(self._bounds, occupant.start)
            last = bisect_left(self._bounds, occupant.end)
            for segment in range(first, last):
                self._masks[segment] |= mask

    def busy(self, start: datetime, end: datetime) -> int:
        """The mask of the tables some occupant holds during ``[start, end)``."""
        first = max(bisect_right(self._bounds, start) - 1, 0)
        last = bisect_left(self._bounds, end)
        mask = 0
        for segment in self._masks[first:last]:
            mask |= segment
        return mask
