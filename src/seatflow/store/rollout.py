"""Reading the rollout's evidence back out of observability_events.

Each row is either part of the total over the query's scope (`restaurant is None`) or of one
restaurant's share of it; events that never learnt their restaurant are grouped under
`UNKNOWN_RESTAURANT`, a label no slug can take. Simulated events are left out unless the window
asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = [
    "UNKNOWN_RESTAURANT",
    "EvidenceWindow",
    "OutcomeRow",
    "ShadowRow",
    "error_minutes",
    "lock_contention",
    "outcome_rows",
    "shadow_rows",
]

#: Not a valid slug (slugs start with a letter or digit), so it cannot collide with one.
UNKNOWN_RESTAURANT = "(unknown)"


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceWindow:
    """Which events count: since a moment, optionally one restaurant, simulated ones or not."""

    since: datetime
    restaurant_id: UUID | None = None
    include_simulated: bool = False

    def params(self) -> dict[str, object]:
        return {
            "since": self.since,
            "restaurant_id": self.restaurant_id,
            "include_simulated": self.include_simulated,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeRow:
    """Terminal events of one pipeline, outcome and reason (per restaurant or in total)."""

    pipeline: str
    outcome: str
    reason: str
    events: int
    mean_delay_ms: float | None = None
    restaurant: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShadowRow:
    """Shadow comparisons of one classification (per restaurant or in total)."""

    classification: str
    events: int
    restaurant: str | None = None


def _restaurant(row: dict[str, Any]) -> str | None:
    if row["total"]:
        return None
    return str(row["restaurant"]) if row["restaurant"] is not None else UNKNOWN_RESTAURANT


async def outcome_rows(conn: Connection, window: EvidenceWindow) -> list[OutcomeRow]:
    rows = await (await conn.execute(query("rollout_outcomes"), window.params())).fetchall()
    return [
        OutcomeRow(
            pipeline=row["pipeline"],
            outcome=row["outcome"] or "unknown",
            reason=row["reason"],
            events=int(row["events"]),
            mean_delay_ms=float(row["mean_delay_ms"]) if row["mean_delay_ms"] is not None else None,
            restaurant=_restaurant(row),
        )
        for row in rows
    ]


async def shadow_rows(conn: Connection, window: EvidenceWindow) -> list[ShadowRow]:
    rows = await (await conn.execute(query("rollout_shadow"), window.params())).fetchall()
    return [
        ShadowRow(
            classification=str(row["classification"]),
            events=int(row["events"]),
            restaurant=_restaurant(row),
        )
        for row in rows
    ]


async def error_minutes(conn: Connection, window: EvidenceWindow) -> dict[str | None, int]:
    """Distinct minutes with a V3 error: the total under `None`, then per restaurant."""
    rows = await (await conn.execute(query("rollout_error_minutes"), window.params())).fetchall()
    return {_restaurant(row): int(row["minutes"]) for row in rows}


async def lock_contention(conn: Connection, window: EvidenceWindow) -> int:
    row = await (await conn.execute(query("rollout_lock_contention"), window.params())).fetchone()
    return int(row["events"]) if row else 0
