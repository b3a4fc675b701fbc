"""The rollout gate: from outcome counts to GO / NO-GO / INSUFFICIENT EVIDENCE. Pure, so the
thresholds are tested alone.

Success rate = confirmed / (confirmed + manual_review + error): outcomes that end an invocation's
work on a booking. Retries and no-ops are not outcomes — a retried booking is counted when it
finally confirms or lands in review — and nothing is counted as a success for lacking a reason.

A rate says little over a handful of events, so it is judged only once its sample reaches a
minimum; below it the check is *insufficient* and so is the verdict — never GO on almost
nothing. Errors in too many distinct minutes fail at any sample size. V3 outcomes and shadow
comparisons are each judged whenever present (the mixed phase has both).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from seatflow.pipeline.rollout_stats import PipelineStats

__all__ = [
    "Check",
    "CheckStatus",
    "Comparison",
    "SHADOW_WORSE",
    "GateResult",
    "Thresholds",
    "Verdict",
    "evaluate",
    "overall",
    "shadow_check",
    "v3_checks",
]

Comparison = Literal[">=", "<"]
#: Shadow classifications where V3 did worse than the control or raised.
SHADOW_WORSE = ("legacy_better", "v3_error")


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    """What GO needs; the minimum samples are the operator's to raise or lower."""

    min_success: float = 0.97  # success rate must be at least this
    max_review: float = 0.01  # manual-review rate must be below this
    sustained_error_minutes: int = 3  # errors in this many distinct minutes are "sustained"
    max_shadow_worse: float = 0.01  # legacy_better + v3_error share must be below this
    min_outcomes: int = 200  # V3 outcomes before its rates are judged
    min_comparisons: int = 100  # shadow comparisons before their rate is judged


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INSUFFICIENT = "insufficient"  # present, but its sample is below the minimum
    NO_DATA = "no_data"  # nothing to judge in the window


class Verdict(StrEnum):
    GO = "go"
    NO_GO = "no_go"
    INSUFFICIENT = "insufficient_evidence"

    @property
    def label(self) -> str:
        """As the CLI prints it."""
        return self.value.upper().replace("NO_GO", "NO-GO").replace("_", " ")


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One gate check: the measured figure, what it must satisfy, and the sample behind it."""

    name: str
    label: str
    figure: float | None  # a rate (0..1), or a count when `is_rate` is false
    comparison: Comparison  # the figure passes when `figure <comparison> threshold`
    threshold: float
    is_rate: bool
    sample: int
    sample_unit: str  # "outcomes" or "comparisons"
    min_sample: int
    status: CheckStatus

    def describe(self) -> str:
        """e.g. `V3 success rate 98.0% (needs >= 97.0%) over 250 outcomes (min 200)`."""
        if self.status is CheckStatus.NO_DATA:
            return f"{self.label}: no {self.sample_unit} in the window"
        minimum = f" (min {self.min_sample})" if self.min_sample else ""
        return (
            f"{self.label} {self.show(self.figure)} (needs {self.comparison} "
            f"{self.show(self.threshold)}) over {self.sample} {self.sample_unit}{minimum}"
        )

    def show(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:.1%}" if self.is_rate else f"{value:g}"


@dataclass(frozen=True, slots=True, kw_only=True)
class GateResult:
    verdict: Verdict
    checks: tuple[Check, ...]
    reasons: tuple[str, ...]

    @property
    def go(self) -> bool:
        return self.verdict is Verdict.GO


def _passes(figure: float, comparison: Comparison, threshold: float) -> bool:
    return figure >= threshold if comparison == ">=" else figure < threshold


def _status(
    figure: float | None, comparison: Comparison, threshold: float, sample: int, least: int
) -> CheckStatus:
    if sample == 0 or figure is None:
        return CheckStatus.NO_DATA
    if sample < least:
        return CheckStatus.INSUFFICIENT
    return CheckStatus.PASS if _passes(figure, comparison, threshold) else CheckStatus.FAIL


@dataclass(frozen=True, slots=True)
class _Sample:
    size: int
    unit: str
    least: int  # the size from which the check is judged


def _check(
    name: str,
    label: str,
    figure: float | None,
    need: tuple[Comparison, float],
    sample: _Sample,
    *,
    is_rate: bool = True,
) -> Check:
    comparison, threshold = need
    return Check(
        name=name,
        label=label,
        figure=figure,
        comparison=comparison,
        threshold=threshold,
        is_rate=is_rate,
        sample=sample.size,
        sample_unit=sample.unit,
        min_sample=sample.least,
        status=_status(figure, comparison, threshold, sample.size, sample.least),
    )


def v3_checks(v3: PipelineStats | None, limits: Thresholds) -> tuple[Check, ...]:
    """Success and review rates (judged from `min_outcomes`), error minutes (at any sample)."""
    stats = v3 or PipelineStats(pipeline="v3")
    rates = _Sample(stats.decided, "outcomes", limits.min_outcomes)
    minutes = float(stats.error_minutes)
    return (
        _check(
            "v3_success_rate",
            "V3 success rate",
            stats.success_rate,
            (">=", limits.min_success),
            rates,
        ),
        _check(
            "v3_review_rate",
            "V3 manual-review rate",
            stats.review_rate,
            ("<", limits.max_review),
            rates,
        ),
        _check(
            "v3_error_minutes",
            "V3 minutes with errors",
            minutes,
            ("<", limits.sustained_error_minutes),
            _Sample(stats.decided, "outcomes", 0),
            is_rate=False,
        ),
    )


def shadow_check(shadow: Mapping[str, int], limits: Thresholds) -> Check:
    """The share of comparisons where V3 did worse than legacy or raised."""
    total = sum(shadow.values())
    worse = sum(shadow.get(kind, 0) for kind in SHADOW_WORSE)
    return _check(
        "shadow_worse_rate",
        "shadow: V3 worse or failing",
        worse / total if total else None,
        ("<", limits.max_shadow_worse),
        _Sample(total, "comparisons", limits.min_comparisons),
    )


def evaluate(
    v3: PipelineStats | None, shadow: Mapping[str, int], limits: Thresholds | None = None
) -> GateResult:
    """NO-GO if any judged check fails; INSUFFICIENT if nothing is present or a present check
    lacks its sample; else GO."""
    limits = limits or Thresholds()
    checks = (*v3_checks(v3, limits), shadow_check(shadow, limits))
    failed = [c for c in checks if c.status is CheckStatus.FAIL]
    if failed:
        return GateResult(verdict=Verdict.NO_GO, checks=checks, reasons=_described(failed))
    if all(c.status is CheckStatus.NO_DATA for c in checks):
        reason = "no V3 outcomes or shadow comparisons in the window"
        return GateResult(verdict=Verdict.INSUFFICIENT, checks=checks, reasons=(reason,))
    short = [c for c in checks if c.status is CheckStatus.INSUFFICIENT]
    if short:
        return GateResult(verdict=Verdict.INSUFFICIENT, checks=checks, reasons=_described(short))
    passed = [c for c in checks if c.status is CheckStatus.PASS]
    return GateResult(verdict=Verdict.GO, checks=checks, reasons=_described(passed))


def _described(checks: list[Check]) -> tuple[str, ...]:
    return tuple(check.describe() for check in checks)


def overall(total: GateResult, restaurants: Mapping[str, GateResult]) -> GateResult:
    """The total's verdict, except that one restaurant judged NO-GO makes it NO-GO: a bad venue
    is not averaged away. A restaurant short of samples cannot fail a rate, so it blocks only on
    sustained errors — which fail the total as well."""
    blocking = sorted(
        name for name, result in restaurants.items() if result.verdict is Verdict.NO_GO
    )
    if not blocking:
        return total
    if total.verdict is Verdict.NO_GO:  # the total's reasons say why; name where
        reasons = (*total.reasons, f"NO-GO at restaurant {', '.join(blocking)}")
    else:
        reasons = tuple(
            f"restaurant {name}: {reason}"
            for name in blocking
            for reason in restaurants[name].reasons
        )
    return GateResult(verdict=Verdict.NO_GO, checks=total.checks, reasons=reasons)
