"""Small builders for planning tests: floors, times, occupants and requests in a line each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.planning.context import PlanContext, build_context
from seatflow.planning.model import Occupant, PlanRequest

T0 = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    """A time this many minutes after 18:00 on the test evening."""
    return T0 + timedelta(minutes=minutes)


def table(
    key: str, capacity: int, zone: str = "main", *, min_party: int = 1, combinable: bool = True
) -> Table:
    return Table(key=key, zone=zone, capacity=capacity, min_party=min_party, combinable=combinable)


def make_floor(
    tables: Iterable[Table],
    pairs: Iterable[tuple[str, str]] = (),
    *,
    zones: Iterable[str] = ("main",),
    max_tables: int = 3,
) -> FloorPlan:
    return FloorPlan(
        slug="t",
        name="Test",
        policy=VenuePolicy(
            turn_minutes=(TurnRule(max_party=99, minutes=90),),
            buffer_minutes=15,
            max_tables_per_booking=max_tables,
        ),
        zones=tuple(Zone(key=z, name=z) for z in zones),
        tables=tuple(tables),
        adjacency=frozenset(frozenset(p) for p in pairs),
    )


def occupant(
    booking_id: str,
    tables: Sequence[str],
    start: int = 0,
    end: int = 120,
    *,
    party: int = 2,
    movable: bool = True,
) -> Occupant:
    return Occupant(
        booking_id=booking_id,
        party_size=party,
        start=at(start),
        end=at(end),
        tables=tuple(tables),
        movable=movable,
    )


def request(
    party: int, start: int = 0, end: int = 120, *, zone: str | None = None, booking_id: str = "new"
) -> PlanRequest:
    return PlanRequest(
        booking_id=booking_id,
        party_size=party,
        start=at(start),
        end=at(end),
        zone_preference=zone,
    )


def context(
    floor: FloorPlan,
    wanted: PlanRequest,
    occupants: Sequence[Occupant] = (),
) -> PlanContext:
    return build_context(floor, wanted, occupants)
