"""Bookings chained by overlaps: the only ones a change in a window can ever reach."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

__all__ = ["overlap_component"]


class _Window(Protocol):
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...


_W = TypeVar("_W", bound=_Window)


def overlap_component(lo: datetime, hi: datetime, windows: Sequence[_W]) -> list[_W]:
    """Those of `windows` connected to [lo, hi) through chains of overlaps, in their order.

    Connected intervals cover one contiguous span, so growing the span until nothing new
    overlaps it finds exactly that component; windows outside it can never clash with any
    window inside it, wherever either sits.
    """
    pending = list(windows)
    chosen: list[_W] = []
    grew = True
    while grew:
        grew = False
        rest: list[_W] = []
        for window in pending:
            if window.start < hi and lo < window.end:
                chosen.append(window)
                lo, hi = min(lo, window.start), max(hi, window.end)
                grew = True
            else:
                rest.append(window)
        pending = rest
    return chosen
