"""Which pipeline a booking takes: the flags, resolved per restaurant. V3=false always wins."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from seatflow.settings import Settings


class Route(StrEnum):
    V3 = "v3"
    LEGACY = "legacy"
    SHADOW = "shadow"  # legacy applies, V3 dry-runs beside it


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineFlags:
    v3: bool = False
    shadow: bool = False
    max_parallel: int = 3
    restaurants: frozenset[str] = frozenset()
    percent: int = 100

    @classmethod
    def from_settings(cls, settings: Settings) -> PipelineFlags:
        return cls(
            v3=settings.pipeline_v3,
            shadow=settings.pipeline_v3_shadow,
            max_parallel=settings.pipeline_v3_max_parallel,
            restaurants=settings.v3_restaurant_slugs,
            percent=settings.pipeline_v3_percent,
        )

    def v3_enabled_for(self, slug: str, restaurant_id: UUID) -> bool:
        if not self.v3:
            return False
        if self.restaurants and slug not in self.restaurants:
            return False
        return sticky_bucket(restaurant_id) < self.percent

    def uniform_route(self) -> Route | None:
        """The route every restaurant takes, or None while V3 is rolled out to only some —
        then the route needs the booking's restaurant, and that costs a query."""
        if not self.v3:
            return Route.SHADOW if self.shadow else Route.LEGACY
        if not self.restaurants and self.percent >= 100:
            return Route.V3
        return None

    def route(self, slug: str, restaurant_id: UUID) -> Route:
        if self.v3_enabled_for(slug, restaurant_id):
            return Route.V3
        return Route.SHADOW if self.shadow else Route.LEGACY


def sticky_bucket(restaurant_id: UUID) -> int:
    """0..99, stable for a restaurant across processes and releases (not Python's hash())."""
    digest = hashlib.sha256(str(restaurant_id).encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100
