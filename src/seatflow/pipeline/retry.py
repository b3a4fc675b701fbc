"""The V3 retry policy: one pure decision per failed invocation, never a sleep."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryDecision:
    retry: bool
    delay: timedelta = timedelta(0)
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Capped exponential backoff with jitter; after `max_attempts` the booking goes to review."""

    max_attempts: int = 5
    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(minutes=5)
    jitter: float = 0.2  # +/- 20 % so that a burst of failures does not retry in lock-step

    def decide(self, attempts: int, reason: str, rng: random.Random) -> RetryDecision:
        """`attempts` counts invocations so far, this one included."""
        if attempts >= self.max_attempts:
            return RetryDecision(retry=False, reason=f"retry_budget_exhausted: {reason}")
        return RetryDecision(retry=True, delay=self.delay_for(attempts, rng), reason=reason)

    def delay_for(self, attempts: int, rng: random.Random) -> timedelta:
        exponent: int = max(attempts - 1, 0)
        raw: timedelta = min(self.base * (2**exponent), self.cap)
        factor = 1 + rng.uniform(-self.jitter, self.jitter)
        return min(raw * factor, self.cap)
