"""The review queue as the console shows it: each waiting booking, why, and the ranked table sets
the engine would take for it now (`planning.suggestions`) on the occupancy its planner would see."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from seatflow.api.auth import Scope
from seatflow.api.review import list_review
from seatflow.api.schemas import ReviewItemOut
from seatflow.api.state import ApiState
from seatflow.pipeline.snapshot import take_snapshot
from seatflow.planning.suggestions import Suggestion, suggestions
from seatflow.store.bookings import require_booking

__all__ = ["ReviewItem", "review_item", "review_items"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewItem:
    booking: ReviewItemOut
    suggestions: tuple[Suggestion, ...]


async def review_items(state: ApiState, scope: Scope) -> list[ReviewItem]:
    listed = await list_review(state, scope)
    return [await _with_suggestions(state, scope, item) for item in listed.bookings]


async def review_item(state: ApiState, scope: Scope, booking_id: UUID) -> ReviewItem | None:
    """One item, or None once the booking has left the queue."""
    listed = await list_review(state, scope)
    for item in listed.bookings:
        if item.id == booking_id:
            return await _with_suggestions(state, scope, item)
    return None


async def _with_suggestions(state: ApiState, scope: Scope, item: ReviewItemOut) -> ReviewItem:
    async with state.pool.connection() as conn:
        booking = await require_booking(conn, item.id)
        snapshot = await take_snapshot(conn, booking, state.clock.now(), scope.floor)
    # Planning never runs on the event loop (the API's rule): the planning processes rank.
    ranked = await state.offload(
        suggestions, scope.floor.plan, snapshot.request, snapshot.occupants
    )
    return ReviewItem(booking=item, suggestions=ranked)
