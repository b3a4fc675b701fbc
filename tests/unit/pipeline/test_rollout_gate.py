"""The rollout gate, pure: minimum samples, shadow judged beside V3, three verdicts, the figures
behind each, and one bad restaurant not averaged away."""

from __future__ import annotations

import pytest

from seatflow.pipeline.rollout_gate import CheckStatus, Thresholds, Verdict, evaluate, overall
from seatflow.pipeline.rollout_report import judge
from seatflow.pipeline.rollout_stats import PipelineStats, by_scope, summarise
from seatflow.store.rollout import OutcomeRow, ShadowRow

GO, NO_GO, INSUFFICIENT = Verdict.GO, Verdict.NO_GO, Verdict.INSUFFICIENT


def v3(confirmed: int, review: int = 0, errors: int = 0, error_minutes: int = 0) -> PipelineStats:
    return PipelineStats(
        pipeline="v3",
        confirmed=confirmed,
        manual_review=review,
        errors=errors,
        error_minutes=error_minutes,
    )


@pytest.mark.parametrize(
    ("stats", "shadow", "verdict"),
    [
        (v3(995, 4), {}, GO),
        (v3(980, 20), {}, NO_GO),  # review 2 %
        (v3(960, errors=40, error_minutes=1), {}, NO_GO),  # success 96 %
        (v3(999, errors=1, error_minutes=1), {}, GO),
        (v3(995, errors=5, error_minutes=3), {}, NO_GO),  # sustained
        (v3(5, errors=3, error_minutes=3), {}, NO_GO),  # sustained fails at any sample
        (v3(199), {}, INSUFFICIENT),  # a perfect rate over too few outcomes
        (v3(100, 50), {}, INSUFFICIENT),  # a bad rate is not judged below the minimum either
        (v3(1), {"legacy_better": 1, "v3_error": 1}, INSUFFICIENT),  # the case
        (v3(300), {"same": 140, "legacy_better": 10}, NO_GO),  # shadow judged beside V3
        (v3(300), {"same": 20}, INSUFFICIENT),  # present comparisons short of their sample
        (v3(300), {"same": 99, "equivalent": 1}, GO),
        (None, {"same": 90, "equivalent": 10}, GO),
        (None, {"same": 99, "legacy_better": 1}, NO_GO),  # 1 % is not below 1 %
        (None, {"same": 98, "v3_better": 1}, INSUFFICIENT),
        (None, {}, INSUFFICIENT),
    ],
)
def test_verdicts(stats: PipelineStats | None, shadow: dict[str, int], verdict: Verdict) -> None:
    """Rates are judged from their minimum sample; any failure is NO-GO; too little is never GO."""
    assert evaluate(stats, shadow).verdict is verdict


def test_minimum_samples_are_configurable() -> None:
    """With lower minimums the same small sample is judged: GO, or NO-GO when it is bad."""
    limits = Thresholds(min_outcomes=10, min_comparisons=2)
    assert evaluate(v3(10), {}, limits).verdict is GO
    assert evaluate(v3(9), {}, limits).verdict is INSUFFICIENT
    assert evaluate(None, {"same": 1, "legacy_better": 1}, limits).verdict is NO_GO


def test_each_check_carries_its_figure_threshold_and_sample() -> None:
    """Every check names its figure, what it needs and the sample it was judged on."""
    result = evaluate(v3(190, 10), {"same": 40, "legacy_better": 2})
    checks = {check.name: check for check in result.checks}
    success = checks["v3_success_rate"]
    assert (success.figure, success.comparison, success.threshold) == (0.95, ">=", 0.97)
    assert (success.sample, success.min_sample, success.status) == (200, 200, CheckStatus.FAIL)
    shadow = checks["shadow_worse_rate"]
    assert (shadow.sample, shadow.min_sample, shadow.status) == (42, 100, CheckStatus.INSUFFICIENT)
    assert checks["v3_error_minutes"].status is CheckStatus.PASS
    assert result.verdict is NO_GO
    assert result.reasons == (
        "V3 success rate 95.0% (needs >= 97.0%) over 200 outcomes (min 200)",
        "V3 manual-review rate 5.0% (needs < 1.0%) over 200 outcomes (min 200)",
    )


def test_insufficient_names_what_is_missing() -> None:
    """INSUFFICIENT EVIDENCE says which samples are short and by how much."""
    result = evaluate(v3(1), {"legacy_better": 1, "v3_error": 1})
    assert result.verdict is INSUFFICIENT and not result.go
    assert "V3 success rate 100.0% (needs >= 97.0%) over 1 outcomes (min 200)" in result.reasons
    assert any("over 2 comparisons (min 100)" in reason for reason in result.reasons)
    nothing = evaluate(None, {})
    assert nothing.reasons == ("no V3 outcomes or shadow comparisons in the window",)
    assert {check.status for check in nothing.checks} == {CheckStatus.NO_DATA}


def test_noops_without_a_reason_are_not_successes() -> None:
    """Events lacking a reason are never counted as confirmed (the original runbook's mistake)."""
    stats = summarise(
        [
            OutcomeRow(pipeline="v3", outcome="noop", reason="", events=1000),
            OutcomeRow(pipeline="v3", outcome="manual_review", reason="x", events=1),
        ]
    )
    assert stats["v3"].confirmed == 0
    assert evaluate(stats["v3"], {}).verdict is INSUFFICIENT


def test_one_bad_restaurant_makes_the_gate_no_go() -> None:
    """A restaurant judged NO-GO blocks the rollout even when the total passes; one short of
    samples does not."""
    good, bad = evaluate(v3(1000), {}), evaluate(v3(190, 10), {})
    small = evaluate(v3(5, 1), {})
    assert evaluate(v3(1190, 10), {}).go  # the total alone would pass
    blocked = overall(evaluate(v3(1190, 10), {}), {"a": good, "b": bad, "c": small})
    assert blocked.verdict is NO_GO
    assert blocked.reasons[0].startswith("restaurant b: V3 success rate 95.0%")
    assert overall(good, {"a": good, "c": small}) is good
    both = overall(bad, {"b": bad})  # the total fails too: its reasons, and where
    assert both.reasons == (*bad.reasons, "NO-GO at restaurant b")


def test_rows_are_judged_per_restaurant_and_in_total() -> None:
    """Rows grouped by restaurant give each restaurant its own gate beside the total's."""
    outcomes = [
        OutcomeRow(pipeline="v3", outcome="confirmed", reason="", events=400),
        OutcomeRow(pipeline="v3", outcome="manual_review", reason="x", events=3),
        OutcomeRow(pipeline="v3", outcome="confirmed", reason="", events=300, restaurant="a"),
        OutcomeRow(pipeline="v3", outcome="confirmed", reason="", events=100, restaurant="b"),
        OutcomeRow(pipeline="v3", outcome="manual_review", reason="x", events=3, restaurant="b"),
    ]
    shadow = [ShadowRow(classification="same", events=7, restaurant="(unknown)")]
    shadow.append(ShadowRow(classification="same", events=7))
    total, restaurants, gate = judge(by_scope(outcomes, shadow, {None: 0}), Thresholds())
    assert total.gate.verdict is INSUFFICIENT  # 7 comparisons are present and short
    assert [(r.name, r.gate.verdict) for r in restaurants] == [
        ("(unknown)", INSUFFICIENT),
        ("a", GO),
        ("b", INSUFFICIENT),
    ]
    assert gate is total.gate
    limits = Thresholds(min_outcomes=100, min_comparisons=5)
    _, restaurants, gate = judge(by_scope(outcomes, shadow, {None: 0}), limits)
    assert [r.gate.verdict for r in restaurants] == [GO, GO, NO_GO]
    assert gate.verdict is NO_GO and gate.reasons[0].startswith("restaurant b: ")
