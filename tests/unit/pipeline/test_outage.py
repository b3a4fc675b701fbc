"""The reconnect backoff (pure) and the outage bookkeeping: one log pair and one count per
outage, however many failures it causes."""

from __future__ import annotations

import random

import pytest

from seatflow.pipeline.metrics import Metrics
from seatflow.pipeline.outage import DatabaseHealth, ReconnectBackoff

EXACT = ReconnectBackoff(base=0.25, cap=2.0, jitter=0.0)


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [(0, 0.25), (1, 0.25), (2, 0.5), (3, 1.0), (4, 2.0), (5, 2.0), (10_000, 2.0)],
)
def test_backoff_doubles_up_to_the_cap(attempt: int, expected: float) -> None:
    """Without jitter the delay doubles from the base and stays at the cap, even after an
    outage of thousands of probes (no overflow)."""
    assert EXACT.delay(attempt, random.Random(1)) == expected


@pytest.mark.parametrize("attempt", [1, 2, 3, 6, 50])
def test_jitter_spreads_within_bounds_and_never_past_the_cap(attempt: int) -> None:
    """With jitter, delays vary around the raw value by at most the jitter, and never exceed
    the cap or go below zero."""
    policy = ReconnectBackoff(base=0.25, cap=2.0, jitter=0.3)
    raw = EXACT.delay(attempt, random.Random(0))
    rng = random.Random(7)
    delays = [policy.delay(attempt, rng) for _ in range(200)]
    assert all(0 <= d <= 2.0 and raw * 0.7 <= d <= raw * 1.3 for d in delays)
    assert len(set(delays)) > 1


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_is_counted_once_and_its_length_when_it_ends() -> None:
    """Many failures during one outage count one outage; its end records how long it lasted
    and puts the gauge back to 1."""
    metrics, clock = Metrics(), _Clock()
    health = DatabaseHealth("postgresql://unused", metrics, component="test", clock=clock)
    value = metrics.registry.get_sample_value
    assert health.up and value("seatflow_database_up") == 1
    health.lost(OSError("refused"))
    clock.now += 3
    health.lost(OSError("refused again"))
    assert not health.up and value("seatflow_database_up") == 0
    clock.now += 4.5
    assert health.back() == 7.5
    assert health.back() == 0.0  # no outage running: nothing to end
    assert value("seatflow_database_up") == 1
    assert value("seatflow_database_outages_total") == 1
    assert value("seatflow_database_outage_seconds_total") == 7.5
