"""The V3 planning engine: rank what fits now; when nothing does, re-pack.

Every combination that seats the party and is free over the window becomes a plan. Each
strategy ranks the candidates by its own criterion; a plan is credited to the strategy that
ranks it highest, and the single scoring function orders the plans.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from seatflow.domain.floor import FloorPlan
from seatflow.planning.availability import free_mask
from seatflow.planning.bounds import cannot_fit
from seatflow.planning.context import PlanContext, build_context
from seatflow.planning.index import candidates_for
from seatflow.planning.model import (
    NO_CAPACITY,
    PARTY_TOO_LARGE,
    REPACK_TIMEOUT,
    Occupant,
    Plan,
    PlanFailure,
    PlanRequest,
)
from seatflow.planning.repack import repack
from seatflow.planning.scoring import plan_score
from seatflow.planning.shuffle import fits_by_shuffle
from seatflow.planning.strategies import STRATEGIES

__all__ = ["can_seat", "plan_v3", "rank_plans"]


def plan_v3(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    repack_budget_ms: int = 2000,
) -> Plan | PlanFailure:
    """The best plan that fits now, else a re-pack within the budget, else why not.

    A budget of zero or less disables re-packing (the answer is then about free tables only).
    When a quick necessary condition already rules every re-arrangement out (`bounds`), the
    answer is `no_capacity` without starting the solver. The budget counts from this call's
    start: whatever the direct path and the bound took, the re-pack has the rest.
    """
    began = time.monotonic()
    if not candidates_for(floor, request.party_size):
        return PlanFailure(reason=PARTY_TOO_LARGE)
    plans = rank_plans(floor, request, occupants)
    if plans:
        return plans[0]
    if repack_budget_ms <= 0 or cannot_fit(floor, request, occupants):
        return PlanFailure(reason=NO_CAPACITY)
    deadline = began + repack_budget_ms / 1000
    if time.monotonic() >= deadline:
        return PlanFailure(reason=REPACK_TIMEOUT)
    return repack(floor, request, occupants, budget_ms=repack_budget_ms, deadline=deadline)


def can_seat(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    *,
    search: bool,
) -> bool:
    """Whether the floor can seat the request, decided in milliseconds and never wrongly yes.

    Free tables that fit say yes; without `search` that is all. With it, the bound gives a
    certain no and a short shuffle of the bookings in the way a certain yes; a request that
    needs a longer chain of moves gets no here, though the exact re-pack of `plan_v3` (whose
    model alone takes longer than a search over many starts may) would seat it.
    """
    candidates = candidates_for(floor, request.party_size)
    if not candidates:
        return False
    others = [o for o in occupants if o.booking_id != request.booking_id]
    free = free_mask(floor, request.start, request.end, others)
    if any(c.mask & free == c.mask for c in candidates):
        return True
    if not search or cannot_fit(floor, request, occupants):
        return False
    return fits_by_shuffle(floor, request, occupants)


def rank_plans(
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
) -> list[Plan]:
    """Every plan that fits the free tables now, best first (empty when none fits)."""
    ctx = build_context(floor, request, occupants)
    if not ctx.candidates:
        return []
    proposer = _proposers(ctx)
    plans = [
        Plan(
            tables=c.combo.tables,
            strategy=proposer.get(c.mask, "optimal_fit"),
            score=plan_score(ctx, c),
        )
        for c in ctx.candidates
    ]
    plans.sort(key=lambda p: (-p.score, len(p.tables), p.tables))
    return plans


def _proposers(ctx: PlanContext) -> dict[int, str]:
    """For each candidate (by mask), the strategy that ranks it highest; ties go to the first."""
    best: dict[int, tuple[int, int, str]] = {}
    for order, (name, strategy) in enumerate(STRATEGIES.items()):
        for rank, candidate in enumerate(strategy(ctx)):
            seen = best.get(candidate.mask)
            if seen is None or (rank, order) < seen[:2]:
                best[candidate.mask] = (rank, order, name)
    return {mask: entry[2] for mask, entry in best.items()}
