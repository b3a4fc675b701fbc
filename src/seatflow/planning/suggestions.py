"""Ranked table sets for a booking a human must place: what the review queue offers.

The free sets that seat the party come first, best first by the very cost every V3 plan is ranked
by (`scoring.plan_cost`); they move nobody. Then, for the host's information, sets that would seat
the party if the bookings on them moved — each with those bookings — as long as every one of them
is movable (re-packing may give them other tables; a requeue lets the engine try).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seatflow.domain.combinations import combinations_for
from seatflow.domain.floor import FloorPlan
from seatflow.planning.context import build_context
from seatflow.planning.model import Occupant, PlanRequest
from seatflow.planning.scoring import plan_cost, plan_score

__all__ = ["Suggestion", "suggestions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Suggestion:
    tables: tuple[str, ...]
    zone: str
    capacity: int
    #: The planners' quality in (0, 1]; None for a set that needs moves (it is not planned).
    score: float | None
    #: Bookings on these tables during the request's window: empty for a free set.
    moves: tuple[str, ...] = ()

    @property
    def free(self) -> bool:
        return not self.moves


def suggestions(
    floor: FloorPlan, request: PlanRequest, occupants: Sequence[Occupant], *, limit: int = 5
) -> tuple[Suggestion, ...]:
    """At most `limit` free sets, best first, then at most `limit` sets that need moves."""
    ctx = build_context(floor, request, occupants)
    ranked = sorted(ctx.candidates, key=lambda c: (plan_cost(ctx, c), c.combo.tables))
    free = tuple(
        Suggestion(
            tables=c.combo.tables,
            zone=c.combo.zone,
            capacity=c.combo.capacity,
            score=round(plan_score(ctx, c), 3),
        )
        for c in ranked[:limit]
    )
    return free + _needing_moves(floor, request, occupants, limit)


def _needing_moves(
    floor: FloorPlan, request: PlanRequest, occupants: Sequence[Occupant], limit: int
) -> tuple[Suggestion, ...]:
    """Taken sets whose every occupant over the window could move, fewest moves first."""
    overlapping = [
        o
        for o in occupants
        if o.booking_id != request.booking_id and o.start < request.end and request.start < o.end
    ]
    found: list[Suggestion] = []
    for combo in combinations_for(floor, request.party_size):
        on = {o for o in overlapping if set(o.tables) & set(combo.tables)}
        if not on or not all(o.movable for o in on):
            continue
        moves = tuple(sorted(o.booking_id for o in on))
        found.append(
            Suggestion(
                tables=combo.tables,
                zone=combo.zone,
                capacity=combo.capacity,
                score=None,
                moves=moves,
            )
        )
    found.sort(key=lambda s: (len(s.moves), s.capacity - request.party_size, s.tables))
    return tuple(found[:limit])
