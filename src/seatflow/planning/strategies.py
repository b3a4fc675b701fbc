"""V3 strategies: each proposes the fitting candidates it likes, best first, by one criterion.

A strategy is a small pure function behind the ``Strategy`` protocol, registered by name in
``STRATEGIES``. Strategies only propose; the single scoring function decides. A strategy with no
opinion for a request (no zone wish) proposes nothing. Strategies see only what the assignment
path passes — the floor, the occupants, the request — so each one can win a real plan.
"""

from __future__ import annotations

from typing import Protocol

from seatflow.planning.context import PlanContext
from seatflow.planning.index import Candidate

__all__ = [
    "STRATEGIES",
    "Strategy",
    "adjacency",
    "load_balancing",
    "optimal_fit",
    "zone_preference",
]


class Strategy(Protocol):
    """Propose candidates from ``ctx.candidates``, best first (a subset is fine)."""

    def __call__(self, ctx: PlanContext) -> list[Candidate]: ...


def _waste(ctx: PlanContext, candidate: Candidate) -> int:
    return candidate.combo.capacity - ctx.request.party_size


def optimal_fit(ctx: PlanContext) -> list[Candidate]:
    """Fewest empty seats, then fewest tables: the tightest fit wastes least now."""
    return sorted(
        ctx.candidates,
        key=lambda c: (_waste(ctx, c), c.combo.size, c.combo.tables),
    )


def adjacency(ctx: PlanContext) -> list[Candidate]:
    """Fewest tables, then the most tightly joined: guests sit together, staff move less."""
    return sorted(
        ctx.candidates,
        key=lambda c: (c.combo.size, -c.edges, _waste(ctx, c), c.combo.tables),
    )


def zone_preference(ctx: PlanContext) -> list[Candidate]:
    """Only candidates in the wished-for zone, tightest first; nothing when there is no wish."""
    wish = ctx.request.zone_preference
    if wish is None:
        return []
    in_zone = [c for c in ctx.candidates if c.combo.zone == wish]
    return sorted(in_zone, key=lambda c: (_waste(ctx, c), c.combo.size, c.combo.tables))


def load_balancing(ctx: PlanContext) -> list[Candidate]:
    """Least-used tables over the service first, so turns and servers spread evenly."""

    def mean_load(candidate: Candidate) -> float:
        tables = candidate.combo.tables
        return sum(ctx.load.get(key, 0) for key in tables) / len(tables)

    return sorted(
        ctx.candidates,
        key=lambda c: (mean_load(c), _waste(ctx, c), c.combo.size, c.combo.tables),
    )


#: Every V3 strategy by name; the order breaks ties when two strategies rank a plan equally.
STRATEGIES: dict[str, Strategy] = {
    "optimal_fit": optimal_fit,
    "adjacency": adjacency,
    "zone_preference": zone_preference,
    "load_balancing": load_balancing,
}
