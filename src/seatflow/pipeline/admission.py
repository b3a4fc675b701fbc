"""May a reservation start then? Service hours, closures and pacing — before any table search.

The pacing count is read on the caller's connection: in the transaction that claimed the
restaurant's reservation version (or holds its row lock), the count and the insert are one atomic
step, as tables are — two requests for the last pacing room cannot both be accepted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from seatflow.domain.service import PACING, PacedBooking, ServiceRules, pacing_allows
from seatflow.store.database import Connection
from seatflow.store.live_service import paced_reservations

__all__ = ["refusal_for"]

WALK_IN = "walk_in"


async def refusal_for(
    conn: Connection,
    restaurant_id: UUID,
    rules: ServiceRules,
    *,
    start_at: datetime,
    party_size: int,
    source: str = "online",
    exclude: UUID | None = None,
) -> str | None:
    """`closed`, `outside_service_hours` or `pacing` when the rules refuse the start, else None.
    Walk-ins do not count against pacing; `exclude` is a booking being changed (not counted)."""
    refusal = rules.refusal(start_at)
    if refusal is not None or source == WALK_IN:
        return refusal
    slot = rules.slot_of(start_at)
    if slot is None:
        return None
    period = rules.period_at(start_at)
    assert period is not None and period.pacing is not None  # slot_of found a paced period
    slot_start = slot[1]
    slot_end = slot_start + timedelta(minutes=period.pacing.slot_minutes)
    rows = await paced_reservations(
        conn, restaurant_id, start=slot_start, end=slot_end, exclude=exclude
    )
    others = [PacedBooking(start_at=start, party_size=party) for start, party in rows]
    return None if pacing_allows(rules, start_at, party_size, others) else PACING
