"""Fair shares of one API process: each key's expensive calls are bounded, planning runs on a
small pool of threads, never on the event loop.

Creating, modifying and asking a day's availability may plan for tens of milliseconds. A key
with `limit` such calls already in flight gets 429 `too_many_requests` at once (with
`Retry-After`), so one tenant's burst cannot queue up ahead of everybody else. The count is per
API process (two `seatflow serve` processes admit up to twice the limit per key); cheap reads are
never counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from seatflow.api.errors import ApiError

__all__ = ["RETRY_AFTER_SECONDS", "KeyLimiter", "too_many_requests"]

#: What a refused client is told to wait: the expensive calls finish well within a second.
RETRY_AFTER_SECONDS = 1


@dataclass(slots=True)
class KeyLimiter:
    """At most `limit` expensive calls in flight per API key (by its prefix) in this process."""

    limit: int
    in_flight: dict[str, int] = field(default_factory=dict)

    def try_acquire(self, key: str) -> bool:
        """Take a slot when one is free; the decision only, nothing waits."""
        taken = self.in_flight.get(key, 0)
        if taken >= self.limit:
            return False
        self.in_flight[key] = taken + 1
        return True

    def release(self, key: str) -> None:
        left = self.in_flight.get(key, 0) - 1
        if left > 0:
            self.in_flight[key] = left
        else:
            self.in_flight.pop(key, None)

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[None]:
        """Hold a slot for the body of the `async with`; 429 when the key has none left."""
        if not self.try_acquire(key):
            raise too_many_requests(self.limit)
        try:
            yield
        finally:
            self.release(key)


def too_many_requests(limit: int) -> ApiError:
    return ApiError(
        429,
        "too_many_requests",
        f"this API key already has {limit} bookings or availability searches in progress; "
        "retry after the Retry-After seconds",
        field="Authorization",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
