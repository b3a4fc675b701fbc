"""The recovery sweep returns bookings a dead worker left in flight to pending."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from seatflow.domain.states import AssignmentState
from seatflow.pipeline.recovery import REASON, recover_stuck_bookings
from seatflow.store.bookings import advance, require_booking, state_history
from seatflow.store.database import Connection
from seatflow.store.locks import try_lock_booking

S = AssignmentState
BookingFactory = Callable[..., Awaitable[UUID]]


async def _strand(pool: AsyncConnectionPool[Connection], booking_id: UUID) -> None:
    """Commit a booking into assignment_in_progress, as a worker that then died would."""
    async with pool.connection() as conn, conn.transaction():
        booking = await require_booking(conn, booking_id)
        path = (S.CAPACITY_VERIFIED, S.ASSIGNMENT_PENDING, S.ASSIGNMENT_IN_PROGRESS)
        await advance(conn, booking, path, actor="test")


async def test_stuck_bookings_return_to_pending_with_a_reason(
    pool: AsyncConnectionPool[Connection], make_booking: BookingFactory
) -> None:
    """An in-flight booking with no live worker goes back to assignment_pending."""
    booking_id = await make_booking()
    await _strand(pool, booking_id)
    async with pool.connection() as conn, conn.transaction():
        recovered = await recover_stuck_bookings(conn, older_than=timedelta(0))
    assert [step.booking.id for step in recovered] == [booking_id]
    async with pool.connection() as conn:
        booking = await require_booking(conn, booking_id)
        history = await state_history(conn, booking_id)
    assert booking.assignment_state is S.ASSIGNMENT_PENDING
    assert history[-1]["reason"] == REASON and history[-1]["actor"] == "recovery"


async def test_a_booking_a_live_worker_holds_is_left_alone(
    pool: AsyncConnectionPool[Connection], make_booking: BookingFactory
) -> None:
    """While a worker holds the booking's lock, the sweep does not touch it."""
    booking_id = await make_booking()
    await _strand(pool, booking_id)
    async with pool.connection() as worker, worker.transaction():
        assert await try_lock_booking(worker, booking_id)
        async with pool.connection() as conn, conn.transaction():
            assert await recover_stuck_bookings(conn, older_than=timedelta(0)) == []


async def test_recent_bookings_are_not_yet_stuck(
    pool: AsyncConnectionPool[Connection], make_booking: BookingFactory
) -> None:
    """Only bookings older than the threshold count as stranded."""
    booking_id = await make_booking()
    await _strand(pool, booking_id)
    async with pool.connection() as conn, conn.transaction():
        assert await recover_stuck_bookings(conn, older_than=timedelta(minutes=5)) == []
