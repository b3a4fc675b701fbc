"""The rollout's evidence per time bucket, on PostgreSQL: the gate's events and filters, counted
per bucket, with the decision-time percentiles; simulated events and other restaurants left out
as asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from seatflow.store.database import Connection
from seatflow.store.rollout import EvidenceWindow
from seatflow.store.rollout_series import read_series
from support.events import add_events, add_restaurant, shadow_compares

HOUR = timedelta(hours=1)


def _window(**changes: object) -> EvidenceWindow:
    return EvidenceWindow(since=datetime.now(UTC) - HOUR, **changes)  # type: ignore[arg-type]


async def test_outcomes_are_counted_per_bucket_with_their_latency(
    db_url: str, conn: Connection
) -> None:
    """Three confirmed and one review, one bucket; the all-outcome row carries the percentiles."""
    here = add_restaurant(db_url, "here")
    add_events(db_url, "coordinator.confirmed", 3, restaurant_id=here, context={"duration_ms": 10})
    add_events(
        db_url, "coordinator.manual_review", 1, restaurant_id=here, context={"duration_ms": 50}
    )
    series = await read_series(conn, _window(), HOUR)
    by_outcome = {p.outcome: p for p in series.outcomes}
    assert {k: p.events for k, p in by_outcome.items()} == {
        None: 4,
        "confirmed": 3,
        "manual_review": 1,
    }
    assert by_outcome[None].p50_ms == 10.0
    assert by_outcome[None].p95_ms is not None and 40.0 < by_outcome[None].p95_ms <= 50.0
    assert [(p.restaurant, p.confirmed, p.decided) for p in series.restaurants] == [("here", 3, 4)]


async def test_buckets_split_time_and_shadow_classes_are_counted(
    db_url: str, conn: Connection
) -> None:
    """Events a minute apart fall in one-minute buckets of their own; shadow classes per bucket."""
    add_events(db_url, "coordinator.confirmed", 3, one_minute_each=True)
    shadow_compares(db_url, "same", 2)
    series = await read_series(conn, _window(), timedelta(minutes=1))
    confirmed = [p for p in series.outcomes if p.outcome == "confirmed"]
    assert len(confirmed) == 3 and all(p.events == 1 for p in confirmed)
    assert [(p.classification, p.events) for p in series.shadow] == [("same", 2)]


async def test_simulated_events_and_other_restaurants_are_left_out(
    db_url: str, conn: Connection
) -> None:
    """Only the window's restaurant, and simulated events only when asked for."""
    here, there = add_restaurant(db_url, "here"), add_restaurant(db_url, "there")
    add_events(db_url, "coordinator.confirmed", 2, restaurant_id=here)
    add_events(db_url, "coordinator.confirmed", 5, restaurant_id=there)
    add_events(db_url, "coordinator.confirmed", 7, restaurant_id=here, simulated=True)
    only_here = await read_series(conn, _window(restaurant_id=here), HOUR)
    assert [p.events for p in only_here.outcomes if p.outcome is None] == [2]
    with_sim = await read_series(conn, _window(restaurant_id=here, include_simulated=True), HOUR)
    assert [p.events for p in with_sim.outcomes if p.outcome is None] == [9]
