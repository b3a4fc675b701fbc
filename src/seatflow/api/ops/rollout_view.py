"""The rollout page's charts: the evidence over time (`store.rollout_series`) shaped as uPlot
data — one x axis of bucket starts (epoch seconds) and one series per line, gaps as None. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from seatflow.store.rollout_series import Series

__all__ = ["Chart", "bucket_for", "charts"]

#: About this many buckets across any window.
BUCKETS = 24
_CONFIRMED = frozenset({"confirmed", "succeeded"})
_DECIDED = _CONFIRMED | {"manual_review", "error"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    id: str
    title: str
    unit: str
    x: list[int]
    series: list[dict[str, Any]]  # {"label": str, "values": [float | None]}
    #: The window's ends (epoch seconds): the time axis always spans the whole window.
    span: tuple[int, int] = (0, 0)

    @property
    def empty(self) -> bool:
        return not self.x

    def data(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "unit": self.unit,
            "x": self.x,
            "series": self.series,
            "span": list(self.span),
        }


def bucket_for(window: timedelta) -> timedelta:
    """Whole minutes, about BUCKETS of them across the window."""
    minutes = max(1, round(window.total_seconds() / 60 / BUCKETS))
    return timedelta(minutes=minutes)


def charts(series: Series, start: datetime, end: datetime) -> list[Chart]:
    """The page's charts over the window [start, end]."""
    span = (int(start.timestamp()), int(end.timestamp()))
    return [replace(chart, span=span) for chart in _charts(series)]


def _charts(series: Series) -> list[Chart]:
    buckets = sorted(
        {p.bucket for p in series.outcomes}
        | {p.bucket for p in series.shadow}
        | {p.bucket for p in series.restaurants}
    )
    outcomes = [p for p in series.outcomes if p.outcome is not None]
    totals = [p for p in series.outcomes if p.outcome is None]
    rate: dict[tuple[datetime, str], list[int]] = defaultdict(lambda: [0, 0])
    for p in outcomes:
        if p.outcome in _DECIDED:
            rate[(p.bucket, p.pipeline)][1] += p.events
            rate[(p.bucket, p.pipeline)][0] += p.events if p.outcome in _CONFIRMED else 0
    by_restaurant = {(p.bucket, p.restaurant): [p.confirmed, p.decided] for p in series.restaurants}
    return [
        _chart("outcomes", "Outcomes per bucket", "events", buckets, outcomes,
               lambda p: f"{p.pipeline} {p.outcome}", lambda p: p.events),
        _ratio_chart("success", "Success rate (confirmed / decided)", buckets, rate),
        _chart("latency-p50", "Decision time, median", "ms", buckets, totals,
               lambda p: f"{p.pipeline} p50", lambda p: p.p50_ms),
        _chart("latency-p95", "Decision time, 95th percentile", "ms", buckets, totals,
               lambda p: f"{p.pipeline} p95", lambda p: p.p95_ms),
        _chart("shadow", "Shadow comparisons by class", "comparisons", buckets, series.shadow,
               lambda p: p.classification, lambda p: p.events),
        _ratio_chart("restaurants", "V3 success rate per restaurant", buckets, by_restaurant),
    ]  # fmt: skip


def _chart(
    chart_id: str,
    title: str,
    unit: str,
    buckets: list[datetime],
    points: Iterable[Any],
    label: Callable[[Any], str],
    value: Callable[[Any], float | None],
) -> Chart:
    lines: dict[str, dict[datetime, float | None]] = defaultdict(dict)
    for point in points:
        lines[label(point)][point.bucket] = value(point)
    return _as_chart(chart_id, title, unit, buckets, lines)


def _ratio_chart(
    chart_id: str,
    title: str,
    buckets: list[datetime],
    counts: dict[tuple[datetime, str], list[int]],
) -> Chart:
    lines: dict[str, dict[datetime, float | None]] = defaultdict(dict)
    for (bucket, name), (good, decided) in counts.items():
        lines[name][bucket] = round(good / decided, 4) if decided else None
    return _as_chart(chart_id, title, "rate", buckets, lines)


def _as_chart(
    chart_id: str,
    title: str,
    unit: str,
    buckets: list[datetime],
    lines: dict[str, dict[datetime, float | None]],
) -> Chart:
    if not lines:
        return Chart(id=chart_id, title=title, unit=unit, x=[], series=[])
    series = [
        {"label": name, "values": [values.get(b) for b in buckets]}
        for name, values in sorted(lines.items())
    ]
    x = [int(b.timestamp()) for b in buckets]
    return Chart(id=chart_id, title=title, unit=unit, x=x, series=series)
