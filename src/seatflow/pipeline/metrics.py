"""Prometheus metrics of one process — an API process or a worker — on a registry of its own
(made per process or app, never the global default, so two apps in one process — tests — never
collide). Both surfaces expose the same families; see docs/operations.md.

Counters and the latency histogram count what this process decided; the backlog gauges are read
from the database (the API at scrape time, a worker every few seconds), so they are the same
whichever process is scraped; breaker state and dropped events are read from the live objects at
scrape time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from seatflow.pipeline.breaker import BreakerState, CircuitBreaker
from seatflow.pipeline.outcome import Outcome, OutcomeKind
from seatflow.store.database import Connection
from seatflow.store.events import EventSink
from seatflow.store.reads import Backlog, assignment_backlog

__all__ = ["METRIC_NAMES", "SHADOW_WINDOW", "Metrics"]

#: Every family /metrics exposes (counters with their `_total` suffix), for docs and tests.
METRIC_NAMES = (
    "seatflow_assignments_total",
    "seatflow_assignment_decision_seconds",
    "seatflow_assignment_retries_total",
    "seatflow_manual_reviews_total",
    "seatflow_breaker_state",
    "seatflow_shadow_mismatches",
    "seatflow_queue_depth",
    "seatflow_review_queue_depth",
    "seatflow_events_dropped_total",
    "seatflow_jobs_due",
    "seatflow_queue_lag_seconds",
    "seatflow_database_up",
    "seatflow_database_outages_total",
    "seatflow_database_outage_seconds_total",
)
#: The shadow-mismatch gauge counts comparisons this far back.
SHADOW_WINDOW = timedelta(hours=1)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.assignments = Counter(
            "seatflow_assignments",
            "Assignment decisions by pipeline (v3, legacy, shadow, manual) and outcome.",
            ("pipeline", "outcome"),
            registry=r,
        )
        self.decision_seconds = Histogram(
            "seatflow_assignment_decision_seconds",
            "Time from asking a pipeline to assign a booking to its decision.",
            ("pipeline",),
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.retries = Counter(
            "seatflow_assignment_retries",
            "Decisions that asked to run the booking again later, by reason.",
            ("pipeline", "reason"),
            registry=r,
        )
        self.manual_reviews = Counter(
            "seatflow_manual_reviews",
            "Bookings sent to manual review, by reason.",
            ("pipeline", "reason"),
            registry=r,
        )
        self.queue_depth = Gauge(
            "seatflow_queue_depth", "Bookings waiting for a table (all restaurants).", registry=r
        )
        self.review_depth = Gauge(
            "seatflow_review_queue_depth", "Bookings waiting in manual review.", registry=r
        )
        self.shadow_mismatches = Gauge(
            "seatflow_shadow_mismatches",
            "Shadow comparisons in the last hour where V3 did worse than legacy or failed.",
            registry=r,
        )
        self.jobs_due, self.queue_lag = _job_backlog_metrics(r)
        self.database_up, self.database_outages, self.database_outage_seconds = _database_metrics(r)
        self._live: _LiveCollector | None = None

    def record(self, pipeline: str, outcome: Outcome, seconds: float) -> None:
        """Count one decision of `pipeline` and how long it took."""
        self.assignments.labels(pipeline, outcome.kind.value).inc()
        self.decision_seconds.labels(pipeline).observe(seconds)
        reason = outcome.reason or "unspecified"
        if outcome.kind is OutcomeKind.RETRY:
            self.retries.labels(pipeline, reason).inc()
        elif outcome.kind is OutcomeKind.MANUAL_REVIEW:
            self.manual_reviews.labels(pipeline, reason).inc()

    def set_backlog(self, backlog: Backlog) -> None:
        self.queue_depth.set(backlog.pending)
        self.review_depth.set(backlog.in_review)
        self.shadow_mismatches.set(backlog.shadow_mismatches)
        self.jobs_due.set(backlog.jobs_due)
        self.queue_lag.set(backlog.queue_lag_seconds)

    async def refresh_backlog(self, conn: Connection, now: datetime) -> None:
        """Read the backlog gauges from the database (one query)."""
        self.set_backlog(await assignment_backlog(conn, shadow_since=now - SHADOW_WINDOW))

    def watch(self, breaker: CircuitBreaker, sink: EventSink) -> None:
        """Expose the breaker's state and the sink's drop count (replacing any earlier ones)."""
        self.unwatch()
        self._live = _LiveCollector(breaker, sink)
        self.registry.register(self._live)

    def unwatch(self) -> None:
        if self._live is not None:
            self.registry.unregister(self._live)
            self._live = None

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _LiveCollector(Collector):
    """Reads values that live on other objects at scrape time instead of mirroring them."""

    def __init__(self, breaker: CircuitBreaker, sink: EventSink) -> None:
        self._breaker = breaker
        self._sink = sink

    def describe(self) -> Iterator[Metric]:
        return iter(())

    def collect(self) -> Iterator[Metric]:
        state = GaugeMetricFamily(
            "seatflow_breaker_state",
            "The V3 circuit breaker of this process: 1 for its current state.",
            labels=("state",),
        )
        for candidate in BreakerState:
            state.add_metric((candidate.value,), 1.0 if self._breaker.state is candidate else 0.0)
        yield state
        yield CounterMetricFamily(
            "seatflow_events_dropped",
            "Telemetry events the event sink of this process dropped.",
            value=self._sink.dropped,
        )


def _database_metrics(r: CollectorRegistry) -> tuple[Gauge, Counter, Counter]:
    """Whether this process reaches PostgreSQL, and the outages it noticed."""
    up = Gauge(
        "seatflow_database_up",
        "1 while this process reaches PostgreSQL, 0 during an outage it noticed.",
        registry=r,
    )
    up.set(1)
    outages = Counter(
        "seatflow_database_outages",
        "Outages this process noticed: PostgreSQL unreachable until a probe answered again.",
        registry=r,
    )
    seconds = Counter(
        "seatflow_database_outage_seconds",
        "Seconds of the outages this process noticed, counted when each one ends.",
        registry=r,
    )
    return up, outages, seconds


def _job_backlog_metrics(r: CollectorRegistry) -> tuple[Gauge, Gauge]:
    """The queue as every worker sees it: jobs due and untaken, and how long the oldest waits."""
    due = Gauge(
        "seatflow_jobs_due",
        "Jobs due and not yet taken by a worker (every queue, every worker).",
        registry=r,
    )
    lag = Gauge(
        "seatflow_queue_lag_seconds",
        "How long the oldest job due and not yet taken has been waiting (0: none waits).",
        registry=r,
    )
    return due, lag
