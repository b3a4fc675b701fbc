"""Pure pipeline policies: retry backoff, circuit breaker, flag routing (the rollout gate has
test_rollout_gate.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from seatflow.pipeline.breaker import BreakerState, CircuitBreaker
from seatflow.pipeline.error_budget import ErrorBudget
from seatflow.pipeline.flags import PipelineFlags, Route, sticky_bucket
from seatflow.pipeline.retry import RetryPolicy

T0 = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize("attempts", [1, 2, 3, 4])
def test_backoff_grows_exponentially_within_jitter(attempts: int) -> None:
    """Attempt n waits base·2^(n-1), give or take the jitter."""
    policy = RetryPolicy(max_attempts=10, base=timedelta(seconds=5), jitter=0.2)
    delay = policy.delay_for(attempts, random.Random(attempts))
    nominal = 5 * 2 ** (attempts - 1)
    assert nominal * 0.8 <= delay.total_seconds() <= nominal * 1.2


def test_backoff_is_capped() -> None:
    """No delay ever exceeds the cap, however many attempts."""
    policy = RetryPolicy(max_attempts=100, cap=timedelta(minutes=5))
    rng = random.Random(1)
    assert all(policy.delay_for(n, rng) <= timedelta(minutes=5) for n in range(1, 40))


def test_retry_budget_ends_in_review() -> None:
    """The last allowed attempt's failure is not retried and says why."""
    policy = RetryPolicy(max_attempts=3)
    rng = random.Random(0)
    assert policy.decide(2, "no_capacity", rng).retry
    final = policy.decide(3, "no_capacity", rng)
    assert not final.retry and "no_capacity" in final.reason


def test_the_error_budget_counts_this_error_too() -> None:
    """With a budget of N, errors 1..N-1 run again and error N sends to review, naming it."""
    budget = ErrorBudget(max_errors=2)
    assert budget.review_reason(1, "KeyError") is None
    assert budget.review_reason(2, "KeyError") == "error_budget_exhausted: KeyError"


def test_breaker_opens_after_threshold_and_admits_one_probe() -> None:
    """Infrastructure failures open it; after the pause, exactly one probe gets through."""
    breaker = CircuitBreaker(failure_threshold=2, open_for=timedelta(seconds=30))
    breaker.record_infrastructure_failure(T0)
    assert breaker.admit(T0).allowed
    breaker.record_infrastructure_failure(T0)
    closed = breaker.admit(T0 + timedelta(seconds=10))
    assert not closed.allowed and closed.state is BreakerState.OPEN
    probe = breaker.admit(T0 + timedelta(seconds=31))
    second = breaker.admit(T0 + timedelta(seconds=31))
    assert probe.allowed and probe.probe and not second.allowed
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.admit(T0).allowed


def test_a_failed_probe_reopens_the_breaker() -> None:
    """Half-open plus one more infrastructure failure is open again."""
    breaker = CircuitBreaker(failure_threshold=1, open_for=timedelta(seconds=5))
    breaker.record_infrastructure_failure(T0)
    assert breaker.admit(T0 + timedelta(seconds=6)).probe
    breaker.record_infrastructure_failure(T0 + timedelta(seconds=6))
    assert breaker.state is BreakerState.OPEN


@pytest.mark.parametrize(
    ("v3", "shadow", "restaurants", "percent", "expected"),
    [
        (False, False, frozenset(), 100, Route.LEGACY),
        (False, True, frozenset(), 100, Route.SHADOW),
        (True, False, frozenset(), 100, Route.V3),
        (True, True, frozenset(), 100, Route.V3),
        (True, True, frozenset({"other"}), 100, Route.SHADOW),
        (True, False, frozenset({"r5"}), 100, Route.V3),
        (True, False, frozenset(), 0, Route.LEGACY),
        (False, False, frozenset({"r5"}), 100, Route.LEGACY),
    ],
)
def test_routing(
    v3: bool, shadow: bool, restaurants: frozenset[str], percent: int, expected: Route
) -> None:
    """V3=false always wins; narrowing sends excluded restaurants to legacy (or shadow)."""
    flags = PipelineFlags(v3=v3, shadow=shadow, restaurants=restaurants, percent=percent)
    assert flags.route("r5", UUID(int=5)) is expected
    uniform = flags.uniform_route()  # when set, it must be what every restaurant gets
    partial = v3 and (bool(restaurants) or percent < 100)
    assert (uniform is None) is partial
    assert uniform in (None, expected)


def test_sticky_percentage_is_stable_and_roughly_proportional() -> None:
    """The same restaurant always lands in the same bucket; 30 % admits about 30 % of them."""
    ids = [uuid4() for _ in range(2000)]
    assert all(sticky_bucket(i) == sticky_bucket(i) for i in ids[:50])
    flags = PipelineFlags(v3=True, percent=30)
    share = sum(flags.v3_enabled_for("x", i) for i in ids) / len(ids)
    assert 0.25 < share < 0.35
