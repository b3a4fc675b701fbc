"""The coordinator's planning step: never on the event loop, and no long search inside a
transaction.

Inside the locked transaction only the direct path and the bound run, in a thread
(milliseconds). A request that needs a re-pack raises `NeedsSearch` with the snapshot it read:
the coordinator leaves that transaction — it has written nothing — and releases its connection,
lock and permit; `search` runs the re-pack on the snapshot in a thread; then the coordinator
claims the booking again. If the booking's version, the floor's version and the occupancy are
exactly what the search saw, its answer stands (a deterministic planner would answer the same
again); otherwise the snapshot is stale and the whole plan runs under the lock — the earlier
behaviour, kept for the rare race so that nobody can be starved. The writes carry their usual
checks (version, exclusion constraint) either way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from seatflow.domain.floor import FloorPlan
from seatflow.planning.bounds import cannot_fit
from seatflow.planning.model import NO_CAPACITY, Occupant, Plan, PlanFailure, PlanRequest

__all__ = ["Locked", "NeedsSearch", "Planner", "Searched", "Snapshot", "plan_locked", "search"]

#: `plan_v3`'s shape; the coordinator passes its own reference (tests replace it there).
Planner = Callable[..., Plan | PlanFailure]


@dataclass(frozen=True, slots=True)
class Locked:
    """What a locked read saw: the booking's version, the floor's, and the occupancy."""

    version: int
    floor_version: datetime | None
    occupants: list[Occupant]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A locked read of a booking that needs a re-pack, for a search outside the transaction."""

    floor: FloorPlan
    request: PlanRequest
    occupants: tuple[Occupant, ...]
    version: int
    floor_version: datetime | None

    def still(self, seen: Locked) -> bool:
        """Whether a later locked read sees exactly this state: then the search's answer stands."""
        return (
            seen.version == self.version
            and seen.floor_version == self.floor_version
            and ordered(seen.occupants) == self.occupants
        )


class NeedsSearch(Exception):  # noqa: N818 - a signal out of the transaction, not an error
    """Nothing fits the free tables and the bound does not rule a re-pack out."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__("re-pack needed")
        self.snapshot = snapshot


@dataclass(frozen=True, slots=True)
class Searched:
    """A re-pack's answer, the snapshot it was planned on, and how long it took."""

    snapshot: Snapshot
    result: Plan | PlanFailure
    plan_ms: float


async def plan_locked(
    floor: FloorPlan,
    seen: Locked,
    request: PlanRequest,
    searched: Searched | None,
    budget_ms: int,
    planner: Planner,
) -> Plan | PlanFailure:
    """The plan to write under the lock, or `NeedsSearch` on a first claim that needs a re-pack."""
    if searched is not None and searched.snapshot.still(seen):
        return searched.result
    if searched is not None:  # stale: plan here, once, rather than search again
        return await asyncio.to_thread(
            planner, floor, request, seen.occupants, repack_budget_ms=budget_ms
        )
    direct = await asyncio.to_thread(
        _direct, planner, floor, request, seen.occupants, budget_ms > 0
    )
    if direct is not None:
        return direct
    snapshot = Snapshot(floor, request, ordered(seen.occupants), seen.version, seen.floor_version)
    raise NeedsSearch(snapshot)


async def search(snapshot: Snapshot, budget_ms: int, planner: Planner) -> Searched:
    """The re-pack on a snapshot, in a thread, holding nothing of the database."""
    started = time.perf_counter()
    result = await asyncio.to_thread(
        planner, snapshot.floor, snapshot.request, snapshot.occupants, repack_budget_ms=budget_ms
    )
    return Searched(snapshot, result, (time.perf_counter() - started) * 1000)


def ordered(occupants: Sequence[Occupant]) -> tuple[Occupant, ...]:
    """Occupants in a fixed order, so two reads of the same floor state compare equal."""
    return tuple(sorted(occupants, key=lambda o: (o.booking_id, o.start, o.tables)))


def _direct(
    planner: Planner,
    floor: FloorPlan,
    request: PlanRequest,
    occupants: Sequence[Occupant],
    search: bool,
) -> Plan | PlanFailure | None:
    """The planner without its re-pack: its answer, or None when only a re-pack can tell."""
    result = planner(floor, request, occupants, repack_budget_ms=0)
    if not search or isinstance(result, Plan) or result.reason != NO_CAPACITY:
        return result
    return result if cannot_fit(floor, request, occupants) else None
