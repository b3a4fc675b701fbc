"""A circuit breaker for infrastructure failures only (database unreachable, timeouts).

"Nothing fits" and version conflicts are business outcomes and never trip it. It decides; the
coordinator acts. The clock is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True, kw_only=True)
class Admission:
    allowed: bool
    state: BreakerState
    retry_after: timedelta = timedelta(0)
    probe: bool = False


@dataclass(slots=True, kw_only=True)
class CircuitBreaker:
    failure_threshold: int = 5
    open_for: timedelta = timedelta(seconds=30)
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_at: datetime | None = None
    probe_in_flight: bool = field(default=False)

    def admit(self, now: datetime) -> Admission:
        """Closed admits all; open admits none until `open_for` passed; half-open one probe."""
        if self.state is BreakerState.OPEN:
            assert self.opened_at is not None
            waited = now - self.opened_at
            if waited < self.open_for:
                return Admission(
                    allowed=False, state=self.state, retry_after=self.open_for - waited
                )
            self.state = BreakerState.HALF_OPEN
            self.probe_in_flight = False
        if self.state is BreakerState.HALF_OPEN:
            if self.probe_in_flight:
                return Admission(allowed=False, state=self.state, retry_after=self.open_for)
            self.probe_in_flight = True
            return Admission(allowed=True, state=self.state, probe=True)
        return Admission(allowed=True, state=self.state)

    def record_success(self) -> None:
        self.state = BreakerState.CLOSED
        self.failures = 0
        self.opened_at = None
        self.probe_in_flight = False

    def record_infrastructure_failure(self, now: datetime) -> None:
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or self.failures >= self.failure_threshold:
            self.state = BreakerState.OPEN
            self.opened_at = now
            self.probe_in_flight = False

    def release_probe(self) -> None:
        """An invocation admitted as a probe ended without touching the database's health."""
        self.probe_in_flight = False
