"""Advisory locks: per-booking exclusivity and N permit slots per restaurant, cluster-wide."""

from __future__ import annotations

from contextlib import AsyncExitStack
from uuid import uuid4

import psycopg
from psycopg.rows import dict_row

from seatflow.store.database import Connection
from seatflow.store.locks import try_lock_booking, try_restaurant_permit


async def _open(stack: AsyncExitStack, db_url: str) -> Connection:
    conn = await psycopg.AsyncConnection.connect(db_url, row_factory=dict_row)
    return await stack.enter_async_context(conn)


async def test_permit_slots_cap_concurrency_across_connections(db_url: str) -> None:
    """With two slots, two transactions get a permit and the third gets none until one ends."""
    restaurant = uuid4()
    async with AsyncExitStack() as stack:
        conns = [await _open(stack, db_url) for _ in range(3)]
        slots = [await try_restaurant_permit(c, restaurant, 2) for c in conns]
        assert sorted(s for s in slots if s is not None) == [0, 1]
        assert slots[2] is None
        await conns[0].commit()
        assert await try_restaurant_permit(conns[2], restaurant, 2) == slots[0]


async def test_booking_lock_is_exclusive_until_the_transaction_ends(db_url: str) -> None:
    """A second transaction cannot take a booking's lock until the first commits."""
    booking = uuid4()
    async with AsyncExitStack() as stack:
        first, second = await _open(stack, db_url), await _open(stack, db_url)
        assert await try_lock_booking(first, booking)
        assert not await try_lock_booking(second, booking)
        await first.rollback()
        assert await try_lock_booking(second, booking)
