"""The metrics every process exposes: decisions counted by pipeline, outcome and reason, every
family documented for operators."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from seatflow.pipeline.metrics import METRIC_NAMES, Metrics
from seatflow.pipeline.outcome import Outcome

DOCS = Path(__file__).resolve().parents[3] / "docs" / "operations.md"


def test_record_counts_outcomes_latency_and_reasons() -> None:
    """Each decision counts once under its pipeline and outcome, its time goes to the histogram,
    and retries and reviews are also counted by reason."""
    metrics = Metrics()
    metrics.record("v3", Outcome.confirmed("optimal_fit", ("A",)), 0.02)
    metrics.record("v3", Outcome.retry("tables_taken", timedelta(seconds=1)), 0.01)
    metrics.record("legacy", Outcome.manual_review("no_capacity"), 0.5)
    value = metrics.registry.get_sample_value
    assert value("seatflow_assignments_total", {"pipeline": "v3", "outcome": "confirmed"}) == 1
    assert value("seatflow_assignments_total", {"pipeline": "v3", "outcome": "retry"}) == 1
    assert value("seatflow_assignment_decision_seconds_count", {"pipeline": "v3"}) == 2
    assert value("seatflow_assignment_decision_seconds_sum", {"pipeline": "legacy"}) == 0.5
    retried = {"pipeline": "v3", "reason": "tables_taken"}
    assert value("seatflow_assignment_retries_total", retried) == 1
    reviewed = {"pipeline": "legacy", "reason": "no_capacity"}
    assert value("seatflow_manual_reviews_total", reviewed) == 1


def test_every_family_is_documented() -> None:
    """docs/operations.md has a row for every metric family a process exposes."""
    text = DOCS.read_text()
    missing = [name for name in METRIC_NAMES if f"| `{name}` |" not in text]
    assert not missing
