"""The rollout's evidence summed up per pipeline, for the whole scope and per restaurant. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from seatflow.store.rollout import OutcomeRow, ShadowRow

__all__ = ["Evidence", "PipelineStats", "by_scope", "summarise"]


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


_OUTCOME_ALIASES = {"succeeded": "confirmed", "confirmed": "confirmed"}


def summarise(rows: list[OutcomeRow]) -> dict[str, PipelineStats]:
    """Outcome rows of one scope → stats per pipeline (retries and no-ops kept apart, by reason)."""
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
        elif outcome == "retry":
            entry.retries[row.reason or "unspecified"] = (row.events, row.mean_delay_ms)
        else:
            entry.noops[row.reason or "unspecified"] = row.events
    return stats


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """What one scope (everything, or one restaurant) showed in the window."""

    stats: dict[str, PipelineStats]
    shadow: dict[str, int]


def by_scope(
    outcomes: list[OutcomeRow], shadow: list[ShadowRow], error_minutes: dict[str | None, int]
) -> dict[str | None, Evidence]:
    """Rows → evidence per scope: `None` is the total, a string one restaurant. The distinct
    minutes with V3 errors come apart from the rows (one minute may hold several reasons)."""
    scopes = {row.restaurant for row in outcomes} | {row.restaurant for row in shadow} | {None}
    return {scope: _evidence(scope, outcomes, shadow, error_minutes) for scope in scopes}


def _evidence(
    scope: str | None,
    outcomes: list[OutcomeRow],
    shadow: list[ShadowRow],
    error_minutes: dict[str | None, int],
) -> Evidence:
    stats = summarise([row for row in outcomes if row.restaurant == scope])
    if "v3" in stats:
        stats["v3"].error_minutes = error_minutes.get(scope, 0)
    return Evidence(
        stats=stats,
        shadow={row.classification: row.events for row in shadow if row.restaurant == scope},
    )
