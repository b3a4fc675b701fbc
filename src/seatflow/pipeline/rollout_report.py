"""The rollout report that `seatflow rollout status` and `GET /v1/rollout/status` both give: the
evidence of a window, the gate on the total and on each restaurant, and the overall verdict."""

from __future__ import annotations

from dataclasses import dataclass

from seatflow.pipeline.rollout_gate import GateResult, Thresholds, evaluate, overall
from seatflow.pipeline.rollout_stats import Evidence, PipelineStats, by_scope
from seatflow.store.database import Connection
from seatflow.store.rollout import (
    EvidenceWindow,
    error_minutes,
    lock_contention,
    outcome_rows,
    shadow_rows,
)

__all__ = ["RolloutReport", "ScopeReport", "judge", "read_report"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScopeReport:
    """One scope's evidence and its own gate: `name` is a restaurant's slug, None the total."""

    name: str | None
    stats: dict[str, PipelineStats]
    shadow: dict[str, int]
    gate: GateResult


@dataclass(frozen=True, slots=True, kw_only=True)
class RolloutReport:
    window: EvidenceWindow
    thresholds: Thresholds
    total: ScopeReport
    restaurants: tuple[ScopeReport, ...]
    lock_contention: int
    gate: GateResult  # the overall verdict: the total's, unless a restaurant is NO-GO

    @property
    def stats(self) -> dict[str, PipelineStats]:
        return self.total.stats

    @property
    def shadow(self) -> dict[str, int]:
        return self.total.shadow


def _scope(name: str | None, evidence: Evidence, limits: Thresholds) -> ScopeReport:
    gate = evaluate(evidence.stats.get("v3"), evidence.shadow, limits)
    return ScopeReport(name=name, stats=evidence.stats, shadow=evidence.shadow, gate=gate)


def judge(
    evidence: dict[str | None, Evidence], limits: Thresholds
) -> tuple[ScopeReport, tuple[ScopeReport, ...], GateResult]:
    """The total's report, each restaurant's (by slug), and the overall gate."""
    total = _scope(None, evidence[None], limits)
    restaurants = tuple(
        _scope(name, evidence[name], limits)
        for name in sorted(name for name in evidence if name is not None)
    )
    verdict = overall(total.gate, {r.name: r.gate for r in restaurants if r.name is not None})
    return total, restaurants, verdict


async def read_report(
    conn: Connection, window: EvidenceWindow, limits: Thresholds | None = None
) -> RolloutReport:
    """Read the window's evidence (a few aggregate queries) and judge it."""
    limits = limits or Thresholds()
    evidence = by_scope(
        await outcome_rows(conn, window),
        await shadow_rows(conn, window),
        await error_minutes(conn, window),
    )
    total, restaurants, gate = judge(evidence, limits)
    return RolloutReport(
        window=window,
        thresholds=limits,
        total=total,
        restaurants=restaurants,
        lock_contention=await lock_contention(conn, window),
        gate=gate,
    )
