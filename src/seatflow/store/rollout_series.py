"""The rollout's evidence over time, for the console's charts: the same events and filters as
`store.rollout` (whose totals the gate judges), counted per time bucket instead of in total."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from seatflow.store.database import Connection
from seatflow.store.queries import query
from seatflow.store.rollout import EvidenceWindow

__all__ = ["OutcomePoint", "RestaurantPoint", "Series", "ShadowPoint", "read_series"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomePoint:
    """One bucket's terminal events of a pipeline and outcome; `outcome` None: all of them (then
    the latency figures are the pipeline's over the bucket)."""

    bucket: datetime
    pipeline: str
    outcome: str | None
    events: int
    p50_ms: float | None
    p95_ms: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShadowPoint:
    bucket: datetime
    classification: str
    events: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RestaurantPoint:
    bucket: datetime
    restaurant: str
    confirmed: int
    decided: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    outcomes: tuple[OutcomePoint, ...]
    shadow: tuple[ShadowPoint, ...]
    restaurants: tuple[RestaurantPoint, ...]


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


async def read_series(conn: Connection, window: EvidenceWindow, bucket: timedelta) -> Series:
    params = {**window.params(), "bucket": bucket}
    rows = await (await conn.execute(query("rollout_outcome_series"), params)).fetchall()
    outcomes = tuple(
        OutcomePoint(
            bucket=row["bucket"],
            pipeline=row["pipeline"],
            outcome=row["outcome"],
            events=int(row["events"]),
            p50_ms=_float(row["p50_ms"]),
            p95_ms=_float(row["p95_ms"]),
        )
        for row in rows
    )
    rows = await (await conn.execute(query("rollout_shadow_series"), params)).fetchall()
    shadow = tuple(
        ShadowPoint(
            bucket=row["bucket"], classification=str(row["classification"]), events=row["events"]
        )
        for row in rows
    )
    rows = await (await conn.execute(query("rollout_restaurant_series"), params)).fetchall()
    restaurants = tuple(
        RestaurantPoint(
            bucket=row["bucket"],
            restaurant=row["restaurant"],
            confirmed=int(row["confirmed"]),
            decided=int(row["decided"]),
        )
        for row in rows
    )
    return Series(outcomes=outcomes, shadow=shadow, restaurants=restaurants)
