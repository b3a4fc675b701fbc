"""Reading the rollout's evidence back out of observability_events."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from seatflow.pipeline.rollout_gate import OutcomeRow
from seatflow.store.database import Connection
from seatflow.store.queries import query


async def outcome_rows(
    conn: Connection, since: datetime, restaurant_id: UUID | None
) -> list[OutcomeRow]:
    params = {"since": since, "restaurant_id": restaurant_id}
    rows = await (await conn.execute(query("rollout_outcomes"), params)).fetchall()
    return [
        OutcomeRow(
            pipeline=row["pipeline"],
            outcome=row["outcome"] or "unknown",
            reason=row["reason"],
            events=int(row["events"]),
            mean_delay_ms=float(row["mean_delay_ms"]) if row["mean_delay_ms"] is not None else None,
            minutes_seen=int(row["minutes_seen"]),
        )
        for row in rows
    ]


async def shadow_counts(
    conn: Connection, since: datetime, restaurant_id: UUID | None
) -> dict[str, int]:
    params = {"since": since, "restaurant_id": restaurant_id}
    rows = await (await conn.execute(query("rollout_shadow"), params)).fetchall()
    return {str(row["classification"]): int(row["events"]) for row in rows}


async def lock_contention(conn: Connection, since: datetime, restaurant_id: UUID | None) -> int:
    params = {"since": since, "restaurant_id": restaurant_id}
    row = await (await conn.execute(query("rollout_lock_contention"), params)).fetchone()
    return int(row["events"]) if row else 0
