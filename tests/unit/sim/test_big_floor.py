"""The generated big floors: the same seed gives the same venue, and every venue is valid."""

from __future__ import annotations

import pytest

from seatflow.documents import parse_scenario
from seatflow.domain.combinations import valid_combinations
from seatflow.sim.big_floor import COVERS_PER_SEAT, big_floor_scenario


def test_same_seed_same_document() -> None:
    """Benchmarks compare runs, so a seed must rebuild the exact floor and stream."""
    assert big_floor_scenario(200, seed=3) == big_floor_scenario(200, seed=3)
    assert big_floor_scenario(200, seed=3) != big_floor_scenario(200, seed=4)


@pytest.mark.parametrize("tables", [200, 500])
def test_floor_is_a_valid_scenario_of_that_size(tables: int) -> None:
    """The document reads as a scenario, with the asked tables spread over zones of ~40."""
    document = big_floor_scenario(tables, load=0.9, seed=1)
    scenario = parse_scenario(document)
    floor = scenario.floor
    assert len(floor.tables) == tables
    assert len(floor.zones) == round(tables / 40)
    assert valid_combinations(floor)  # under the combination ceiling
    zone_of = {t.key: t.zone for t in floor.tables}
    assert all(len({zone_of[k] for k in pair}) == 1 for pair in floor.adjacency)
    seats = sum(t.capacity for t in floor.tables)
    covers = sum(b.party_size for b in scenario.bookings)
    assert round(0.9 * COVERS_PER_SEAT * seats) <= covers < round(0.9 * COVERS_PER_SEAT * seats) + 9


def test_stream_is_in_request_order_and_in_the_evening() -> None:
    """Requests come in the order they were made, each before the time it books."""
    scenario = parse_scenario(big_floor_scenario(200, seed=2))
    made = [b.requested_at for b in scenario.bookings]
    assert made == sorted(made)
    assert all(b.requested_at < b.start_at for b in scenario.bookings)
    assert {b.start_at.hour for b in scenario.bookings} <= {17, 18, 19, 20, 21}
