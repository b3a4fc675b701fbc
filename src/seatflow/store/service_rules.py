"""A restaurant's service rules in PostgreSQL: periods, closures, grace and overstay step.

Replacing them is whole (`save_rules` deletes and re-inserts in the caller's transaction); the
restaurant's `updated_at` moves with them, which is the floor version every writer checks, so no
booking planned under the old rules commits beside the new ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from seatflow.domain.floor import TurnRule
from seatflow.domain.service import Closure, Pacing, ServicePeriod, ServiceRules
from seatflow.errors import NotFound
from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = ["RulesCache", "load_rules", "save_rules"]


async def load_rules(conn: Connection, restaurant_id: UUID) -> ServiceRules:
    params = {"restaurant_id": restaurant_id}
    head = await (await conn.execute(query("restaurant_rules"), params)).fetchone()
    if head is None:
        raise NotFound(f"no restaurant {restaurant_id}")
    periods = await (await conn.execute(query("service_periods"), params)).fetchall()
    closures = await (await conn.execute(query("closures"), params)).fetchall()
    return ServiceRules(
        timezone=head["timezone"],
        periods=tuple(_period(row) for row in periods),
        closures=tuple(Closure(date=row["date"], reason=row["reason"]) for row in closures),
        no_show_grace_minutes=head["no_show_grace_minutes"],
        overstay_step_minutes=head["overstay_step_minutes"],
    )


async def save_rules(conn: Connection, restaurant_id: UUID, rules: ServiceRules) -> None:
    """Replace the restaurant's rules with `rules` (its time zone belongs to the floor)."""
    params = {"restaurant_id": restaurant_id}
    await conn.execute(
        query("update_restaurant_rules"),
        {
            **params,
            "grace": rules.no_show_grace_minutes,
            "step": rules.overstay_step_minutes,
        },
    )
    await conn.execute(query("clear_service_periods"), params)
    await conn.execute(query("clear_closures"), params)
    for position, period in enumerate(rules.periods):
        await conn.execute(
            query("insert_service_period"), {**params, **_period_row(period, position)}
        )
    for closure in rules.closures:
        await conn.execute(
            query("insert_closure"), {**params, "date": closure.date, "reason": closure.reason}
        )


def _period(row: dict[str, Any]) -> ServicePeriod:
    turns = row["turn_minutes"]
    pacing = None
    if row["slot_minutes"] is not None:
        pacing = Pacing(
            slot_minutes=row["slot_minutes"],
            max_covers=row["max_covers"],
            max_parties=row["max_parties"],
        )
    return ServicePeriod(
        key=row["key"],
        weekdays=frozenset(row["weekdays"]),
        first_seating=row["first_seating"],
        last_seating=row["last_seating"],
        turn_minutes=None if turns is None else tuple(TurnRule(**rule) for rule in turns),
        pacing=pacing,
    )


def _period_row(period: ServicePeriod, position: int) -> dict[str, Any]:
    turns = period.turn_minutes
    pacing = period.pacing
    return {
        "key": period.key,
        "position": position,
        "weekdays": sorted(period.weekdays),
        "first_seating": period.first_seating,
        "last_seating": period.last_seating,
        "turn_minutes": None
        if turns is None
        else Jsonb([{"max_party": r.max_party, "minutes": r.minutes} for r in turns]),
        "slot_minutes": pacing.slot_minutes if pacing else None,
        "max_covers": pacing.max_covers if pacing else None,
        "max_parties": pacing.max_parties if pacing else None,
    }


class RulesCache:
    """Service rules by restaurant, kept with the floor version they were read under.

    `save_rules` (and every floor import) moves the restaurant's `updated_at`, the floor version a
    request already has in hand: a current entry costs no query, a stale one is read again."""

    def __init__(self) -> None:
        self._rules: dict[UUID, tuple[datetime, ServiceRules]] = {}

    def cached(self, restaurant_id: UUID, version: datetime) -> ServiceRules | None:
        """The rules read under `version`, if they are here (no connection needed)."""
        cached = self._rules.get(restaurant_id)
        return cached[1] if cached is not None and cached[0] == version else None

    async def get(self, conn: Connection, restaurant_id: UUID, version: datetime) -> ServiceRules:
        """The rules for the floor at `version`: from the cache, else one read (three queries)."""
        cached = self.cached(restaurant_id, version)
        if cached is not None:
            return cached
        rules = await load_rules(conn, restaurant_id)
        self._rules[restaurant_id] = (version, rules)
        return rules
