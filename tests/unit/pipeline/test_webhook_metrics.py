"""The webhook relay's metric families: exposed on the registry given, and documented."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry

from seatflow.pipeline.webhook_metrics import WEBHOOK_METRIC_NAMES, WebhookMetrics

DOCS = Path(__file__).resolve().parents[3] / "docs" / "operations.md"


def test_attempts_are_counted_by_outcome_with_their_time() -> None:
    """record() counts the outcome and observes the seconds; failing is its own counter."""
    registry = CollectorRegistry()
    metrics = WebhookMetrics(registry)
    metrics.record("delivered", 0.2)
    metrics.record("retry", 1.5)
    metrics.failing.inc()
    value = registry.get_sample_value
    assert value("seatflow_webhook_attempts_total", {"outcome": "delivered"}) == 1
    assert value("seatflow_webhook_attempts_total", {"outcome": "retry"}) == 1
    assert value("seatflow_webhook_attempt_seconds_count") == 2
    assert value("seatflow_webhook_endpoints_failing_total") == 1


def test_every_webhook_family_is_documented() -> None:
    """docs/operations.md has a row for each."""
    text = DOCS.read_text()
    assert not [name for name in WEBHOOK_METRIC_NAMES if f"| `{name}` |" not in text]
