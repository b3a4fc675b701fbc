"""The per-key limiter: a decision per call, slots per key, freed on the way out."""

from __future__ import annotations

import pytest

from seatflow.api.errors import ApiError
from seatflow.api.throttle import KeyLimiter


def test_admits_up_to_the_limit_per_key() -> None:
    """Two slots for one key are taken, the third is refused; another key is not affected."""
    limiter = KeyLimiter(limit=2)
    assert limiter.try_acquire("a") and limiter.try_acquire("a")
    assert not limiter.try_acquire("a")
    assert limiter.try_acquire("b")


def test_a_released_slot_is_free_again() -> None:
    """Releasing gives the slot back, and an idle key leaves nothing behind."""
    limiter = KeyLimiter(limit=1)
    assert limiter.try_acquire("a")
    limiter.release("a")
    assert limiter.in_flight == {}
    assert limiter.try_acquire("a")


async def test_slot_refuses_with_429_and_frees_after_an_error() -> None:
    """A full key gets 429 with Retry-After; a body that raises still gives its slot back."""
    limiter = KeyLimiter(limit=1)
    with pytest.raises(RuntimeError):
        async with limiter.slot("a"):
            with pytest.raises(ApiError) as refused:
                async with limiter.slot("a"):
                    pass
            raise RuntimeError("the handler failed")
    assert refused.value.status == 429 and refused.value.error == "too_many_requests"
    assert refused.value.headers == {"Retry-After": "1"}
    assert limiter.in_flight == {}
