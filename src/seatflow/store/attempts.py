"""Assignment attempts in PostgreSQL: one row per try of a pipeline at a booking, numbered per
booking and pipeline — what the rollout gate's figures and a booking's story are read from."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = ["AttemptRecord", "record_attempt"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptRecord:
    booking_id: UUID
    restaurant_id: UUID
    pipeline: str
    trigger: str
    outcome: str
    reason: str | None = None
    strategy: str | None = None
    score: float | None = None
    tables: tuple[str, ...] = ()
    duration_ms: float | None = None


async def record_attempt(
    conn: Connection, attempt: AttemptRecord, attempt_no: int | None = None
) -> int:
    """Record one attempt and return its number for this booking and pipeline; given the number
    (a caller that counted under the booking's lock), nothing is read back."""
    cursor = await conn.execute(
        query("insert_attempt"),
        {
            "attempt_no": attempt_no,
            "booking_id": attempt.booking_id,
            "restaurant_id": attempt.restaurant_id,
            "pipeline": attempt.pipeline,
            "trigger": attempt.trigger,
            "outcome": attempt.outcome,
            "reason": attempt.reason,
            "strategy": attempt.strategy,
            "score": attempt.score,
            "tables": list(attempt.tables),
            "duration_ms": attempt.duration_ms,
        },
    )
    if attempt_no is not None:
        return attempt_no
    row = await cursor.fetchone()
    assert row is not None
    return int(row["attempt_no"])
