"""The rollout gate: from outcome counts to GO / NO-GO. Pure, so the thresholds are tested alone.

Success rate = confirmed / (confirmed + manual_review + error): outcomes that end an invocation's
work on a booking. Retries and no-ops are not outcomes — a retried booking is counted when it
finally confirms or lands in review — and nothing is counted as a success for lacking a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SUCCESS_GATE = 0.97
REVIEW_GATE = 0.01
SUSTAINED_ERROR_MINUTES = 3  # errors seen in this many distinct minutes are "sustained"
SHADOW_DISAGREEMENT_GATE = 0.01


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeRow:
    pipeline: str
    outcome: str
    reason: str
    events: int
    mean_delay_ms: float | None = None
    minutes_seen: int = 0


@dataclass(slots=True, kw_only=True)
class PipelineStats:
    pipeline: str
    confirmed: int = 0
    manual_review: int = 0
    errors: int = 0
    error_minutes: int = 0
    noops: dict[str, int] = field(default_factory=dict)
    retries: dict[str, tuple[int, float | None]] = field(default_factory=dict)

    @property
    def decided(self) -> int:
        return self.confirmed + self.manual_review + self.errors

    @property
    def success_rate(self) -> float | None:
        return self.confirmed / self.decided if self.decided else None

    @property
    def review_rate(self) -> float | None:
        return self.manual_review / self.decided if self.decided else None


@dataclass(frozen=True, slots=True, kw_only=True)
class GateResult:
    go: bool
    reasons: tuple[str, ...]


_OUTCOME_ALIASES = {"succeeded": "confirmed", "confirmed": "confirmed"}


def summarise(rows: list[OutcomeRow]) -> dict[str, PipelineStats]:
    stats: dict[str, PipelineStats] = {}
    for row in rows:
        entry = stats.setdefault(row.pipeline, PipelineStats(pipeline=row.pipeline))
        outcome = _OUTCOME_ALIASES.get(row.outcome, row.outcome)
        if outcome == "confirmed":
            entry.confirmed += row.events
        elif outcome == "manual_review":
            entry.manual_review += row.events
        elif outcome == "error":
            entry.errors += row.events
            entry.error_minutes += row.minutes_seen
        elif outcome == "retry":
            entry.retries[row.reason or "unspecified"] = (row.events, row.mean_delay_ms)
        else:
            entry.noops[row.reason or "unspecified"] = row.events
    return stats


def evaluate(
    stats: dict[str, PipelineStats], shadow: dict[str, int], *, lock_contention: int = 0
) -> GateResult:
    """GO when the pipeline being rolled out meets every gate; V3 if it ran, else shadow."""
    v3 = stats.get("v3")
    if v3 is not None and v3.decided:
        return _gate_v3(v3)
    if shadow:
        return _gate_shadow(shadow)
    return GateResult(go=False, reasons=("no V3 outcomes or shadow comparisons in the window",))


def _gate_v3(v3: PipelineStats) -> GateResult:
    failures = []
    assert v3.success_rate is not None and v3.review_rate is not None
    if v3.success_rate < SUCCESS_GATE:
        failures.append(f"success rate {v3.success_rate:.1%} < {SUCCESS_GATE:.0%}")
    if v3.review_rate >= REVIEW_GATE:
        failures.append(f"manual-review rate {v3.review_rate:.1%} >= {REVIEW_GATE:.0%}")
    if v3.error_minutes >= SUSTAINED_ERROR_MINUTES:
        failures.append(f"errors in {v3.error_minutes} distinct minutes (sustained)")
    if failures:
        return GateResult(go=False, reasons=tuple(failures))
    return GateResult(
        go=True,
        reasons=(
            f"success {v3.success_rate:.1%} >= {SUCCESS_GATE:.0%}, "
            f"review {v3.review_rate:.1%} < {REVIEW_GATE:.0%}, no sustained errors",
        ),
    )


def _gate_shadow(shadow: dict[str, int]) -> GateResult:
    total = sum(shadow.values())
    bad = shadow.get("legacy_better", 0) + shadow.get("v3_error", 0)
    rate = bad / total
    if rate >= SHADOW_DISAGREEMENT_GATE:
        return GateResult(
            go=False,
            reasons=(f"shadow: V3 worse or failing on {rate:.1%} of {total} comparisons",),
        )
    return GateResult(
        go=True,
        reasons=(f"shadow: V3 worse or failing on {rate:.1%} of {total} comparisons",),
    )
