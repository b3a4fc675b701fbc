"""Prometheus metrics of the webhook relay, on the process's own registry (pipeline.metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["WEBHOOK_METRIC_NAMES", "WebhookMetrics"]

#: The families the relay adds to a worker's /metrics (counters with their `_total` suffix).
WEBHOOK_METRIC_NAMES = (
    "seatflow_webhook_attempts_total",
    "seatflow_webhook_attempt_seconds",
    "seatflow_webhook_endpoints_failing_total",
)
_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class WebhookMetrics:
    """Attempts by outcome (`delivered`, `retry`, `failed`: given up) and how long they took;
    endpoints this process marked failing. No per-endpoint labels: their number is unbounded."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.attempts = Counter(
            "seatflow_webhook_attempts",
            "Webhook delivery attempts by outcome: delivered, retry (another comes), failed "
            "(the retry window is over).",
            ("outcome",),
            registry=registry,
        )
        self.seconds = Histogram(
            "seatflow_webhook_attempt_seconds",
            "Time from a webhook POST to its answer (or its failure).",
            buckets=_BUCKETS,
            registry=registry,
        )
        self.failing = Counter(
            "seatflow_webhook_endpoints_failing",
            "Webhook endpoints marked failing (a delivery ran out of its retry window).",
            registry=registry,
        )

    def record(self, outcome: str, seconds: float) -> None:
        self.attempts.labels(outcome).inc()
        self.seconds.observe(seconds)
