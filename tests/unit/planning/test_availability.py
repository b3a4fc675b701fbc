"""Free tables over half-open windows."""

from __future__ import annotations

import pytest

from seatflow.planning.availability import free_tables, overlaps
from unit.planning.kit import at, make_floor, occupant, table

FLOOR = make_floor([table("A", 2), table("B", 4)])


@pytest.mark.parametrize(
    ("held", "window", "a_free"),
    [
        ((0, 180), (180, 300), True),  # ends 21:00, next starts 21:00: no clash
        ((180, 300), (0, 180), True),  # the same touch, the other way round
        ((0, 181), (180, 300), False),  # one minute of overlap is a clash
        ((60, 90), (0, 180), False),  # held inside the window
        ((0, 300), (60, 90), False),  # window inside the hold
        ((300, 400), (0, 180), True),  # well apart
    ],
)
def test_free_tables_uses_half_open_windows(
    held: tuple[int, int], window: tuple[int, int], a_free: bool
) -> None:
    """A table is free exactly when no hold shares an instant with the window."""
    busy = [occupant("x", ["A"], *held)]
    free = free_tables(FLOOR, at(window[0]), at(window[1]), busy)
    assert ("A" in free) is a_free
    assert "B" in free


def test_overlaps_is_symmetric_and_half_open() -> None:
    """Touching windows do not overlap, in either order."""
    assert not overlaps(at(0), at(60), at(60), at(120))
    assert not overlaps(at(60), at(120), at(0), at(60))
    assert overlaps(at(0), at(61), at(60), at(120))


def test_excluded_booking_sees_its_own_tables_free() -> None:
    """Re-planning a booking ignores the tables it already holds."""
    busy = [occupant("me", ["A"]), occupant("other", ["B"])]
    assert free_tables(FLOOR, at(0), at(60), busy, exclude_booking="me") == {"A"}


def test_unknown_table_keys_are_ignored() -> None:
    """A stale table key in occupancy neither crashes nor blocks real tables."""
    busy = [occupant("x", ["GONE", "A"])]
    assert free_tables(FLOOR, at(0), at(60), busy) == {"B"}
