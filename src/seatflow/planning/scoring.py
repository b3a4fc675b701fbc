"""The one scoring function every V3 plan is ranked by.

Cost, in "wasted seat" units: empty seats, extra joined tables, a missed zone wish, and
look-ahead — using a table that sits in many large-party combinations still free over the
window spends flexibility the next big party may need. Every term is at least zero. Lower cost is
better; the score is ``1 / (1 + cost)`` so it reads as a quality in (0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

from seatflow.planning.context import PlanContext
from seatflow.planning.index import Candidate

__all__ = ["Weights", "DEFAULT_WEIGHTS", "plan_cost", "plan_score"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Weights:
    """How much each concern costs, in units of one wasted seat."""

    wasted_seat: float = 1.0
    extra_table: float = 1.5
    zone_missed: float = 4.0
    look_ahead: float = 2.0


DEFAULT_WEIGHTS = Weights()


def plan_cost(ctx: PlanContext, candidate: Candidate, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """The weighted cost of seating the request on this candidate; lower is better."""
    combo = candidate.combo
    wish = ctx.request.zone_preference
    cost = weights.wasted_seat * (combo.capacity - ctx.request.party_size)
    cost += weights.extra_table * (combo.size - 1)
    if wish is not None and combo.zone != wish:
        cost += weights.zone_missed
    cost += weights.look_ahead * look_ahead(ctx, candidate)
    return cost


def plan_score(ctx: PlanContext, candidate: Candidate, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """The cost as a quality in (0, 1]: 1 is a perfect fit that spends nothing scarce."""
    return 1.0 / (1.0 + plan_cost(ctx, candidate, weights))


def look_ahead(ctx: PlanContext, candidate: Candidate) -> float:
    """Free large-party combinations this candidate would break, per table, normalised."""
    if not ctx.free_large:
        return 0.0
    busiest = ctx.large_share_max
    if busiest == 0:
        return 0.0
    return sum(ctx.free_large[bit] for bit in candidate.bits) / busiest
