"""The rollout charts' data: one x axis of buckets, one line per series, gaps as None."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from seatflow.api.ops.rollout_view import bucket_for, charts
from seatflow.store.rollout_series import OutcomePoint, RestaurantPoint, Series, ShadowPoint

B1 = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
B2 = B1 + timedelta(minutes=15)


def _outcome(bucket: datetime, pipeline: str, outcome: str | None, events: int) -> OutcomePoint:
    return OutcomePoint(
        bucket=bucket, pipeline=pipeline, outcome=outcome, events=events, p50_ms=12.0, p95_ms=40.0
    )


def test_buckets_are_whole_minutes_about_24_per_window() -> None:
    """6 h → 15 min; 1 h → 2 min (rounded); never under a minute."""
    assert bucket_for(timedelta(hours=6)) == timedelta(minutes=15)
    assert bucket_for(timedelta(hours=1)) == timedelta(minutes=2)
    assert bucket_for(timedelta(minutes=5)) == timedelta(minutes=1)


def test_series_share_one_axis_and_rates_are_confirmed_over_decided() -> None:
    """Success = confirmed / (confirmed + review + error); retries and no-ops do not count."""
    series = Series(
        outcomes=(
            _outcome(B1, "v3", "confirmed", 3),
            _outcome(B1, "v3", "manual_review", 1),
            _outcome(B1, "v3", "retry", 5),
            _outcome(B1, "v3", None, 9),
            _outcome(B2, "legacy", "succeeded", 2),
        ),
        shadow=(ShadowPoint(bucket=B2, classification="same", events=4),),
        restaurants=(RestaurantPoint(bucket=B1, restaurant="r5", confirmed=3, decided=4),),
    )
    by_id = {chart.id: chart for chart in charts(series, B1, B2)}
    assert by_id["outcomes"].data()["span"] == [int(B1.timestamp()), int(B2.timestamp())]
    assert by_id["outcomes"].x == [int(B1.timestamp()), int(B2.timestamp())]
    success = {s["label"]: s["values"] for s in by_id["success"].series}
    assert success == {"legacy": [None, 1.0], "v3": [0.75, None]}
    assert by_id["shadow"].series == [{"label": "same", "values": [None, 4]}]
    assert by_id["latency-p95"].series == [{"label": "v3 p95", "values": [40.0, None]}]
    assert by_id["restaurants"].series == [{"label": "r5", "values": [0.75, None]}]


def test_no_events_make_empty_charts() -> None:
    """An empty window: every chart is there, and empty."""
    empty = Series(outcomes=(), shadow=(), restaurants=())
    assert all(chart.empty for chart in charts(empty, B1, B2))
