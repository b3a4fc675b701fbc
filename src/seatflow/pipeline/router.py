"""The one auto-assign entry point used by simulate, jobs and the API.

V3 on for the booking's restaurant → the coordinator; otherwise the legacy loop, with the V3
candidate dry-running beside it when shadow is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from seatflow.pipeline.coordinator import AssignmentCoordinator
from seatflow.pipeline.flags import PipelineFlags, Route
from seatflow.pipeline.legacy_loop import LegacyAutoAssigner
from seatflow.pipeline.outcome import Outcome
from seatflow.pipeline.shadow import ShadowExperiment, ShadowSubject
from seatflow.pipeline.snapshot import Snapshot
from seatflow.planning.model import Plan, PlanFailure
from seatflow.store.bookings import booking_restaurant
from seatflow.store.database import Connection


@dataclass(frozen=True, slots=True, kw_only=True)
class Routed:
    route: Route
    outcome: Outcome


class AutoAssignRouter:
    def __init__(
        self,
        pool: AsyncConnectionPool[Connection],
        flags: PipelineFlags,
        coordinator: AssignmentCoordinator,
        legacy: LegacyAutoAssigner,
        shadow: ShadowExperiment,
    ) -> None:
        self._pool = pool
        self.flags = flags
        self._coordinator = coordinator
        self._legacy = legacy
        self.shadow = shadow

    async def route_for(self, booking_id: UUID) -> Route:
        uniform = self.flags.uniform_route()
        if uniform is not None:
            return uniform  # no query: the flags send every restaurant the same way
        async with self._pool.connection() as conn:
            found = await booking_restaurant(conn, booking_id)
        if found is None:
            return Route.V3 if self.flags.v3 else Route.LEGACY  # either reports not-found as noop
        restaurant_id, slug = found
        return self.flags.route(slug, restaurant_id)

    async def run(self, booking_id: UUID, trigger: str, route: Route | None = None) -> Routed:
        chosen = route or await self.route_for(booking_id)
        if chosen is Route.V3:
            return Routed(
                route=chosen, outcome=await self._coordinator.process(booking_id, trigger)
            )
        if chosen is Route.SHADOW:

            async def compare(snapshot: Snapshot, legacy: Plan | PlanFailure) -> None:
                await self.shadow.compare(ShadowSubject.of(snapshot), legacy, trigger)

            outcome = await self._legacy.run(booking_id, trigger, on_planned=compare)
            return Routed(route=chosen, outcome=outcome)
        return Routed(route=chosen, outcome=await self._legacy.run(booking_id, trigger))
