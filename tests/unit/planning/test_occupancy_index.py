"""The occupancy index answers every window exactly as a scan of the occupants does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from seatflow.planning.availability import index_busy_mask
from seatflow.planning.index import floor_index
from seatflow.planning.occupancy_index import OccupancyIndex
from unit.planning.kit import at, make_floor, occupant, table

FLOOR = make_floor([table(key, 2) for key in "ABCDEF"])
KEYS = "ABCDEF"


@st.composite
def windows(draw: st.DrawFn) -> tuple[int, int]:
    start = draw(st.integers(-60, 400))
    return start, start + draw(st.integers(1, 240))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(windows(), st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True)),
        max_size=12,
    ),
    st.lists(windows(), min_size=1, max_size=8),
)
def test_busy_matches_a_scan(
    placed: list[tuple[tuple[int, int], list[str]]], asked: list[tuple[int, int]]
) -> None:
    """For random occupants and windows, the bisected masks equal the scanned ones."""
    occupants = [occupant(f"o{i}", keys, s, e) for i, ((s, e), keys) in enumerate(placed)]
    index = floor_index(FLOOR)
    occupancy = OccupancyIndex(index, occupants)
    for start, end in asked:
        assert occupancy.busy(at(start), at(end)) == index_busy_mask(
            index, at(start), at(end), occupants
        )


def test_touching_windows_do_not_clash() -> None:
    """Half-open: a booking ending at 21:00 leaves its table free from 21:00."""
    occupancy = OccupancyIndex(floor_index(FLOOR), [occupant("x", ["A"], 0, 120)])
    assert occupancy.busy(at(120), at(200)) == 0
    assert occupancy.busy(at(119), at(200)) == 1 << floor_index(FLOOR).bits["A"]
