"""Advisory locks: a per-booking lock, N per-restaurant permit slots and a per-restaurant floor
lock (a floor change takes it exclusively, writers of tables shared), all transaction-scoped.

Transaction-scoped locks are released at commit or rollback and when a worker's connection dies,
so nothing can leak a lock, and they hold across every worker process on the same database.
"""

from __future__ import annotations

from uuid import UUID

from seatflow.store.database import Connection
from seatflow.store.queries import query

BOOKING_LOCKS = 7_301
RESTAURANT_PERMITS = 7_302
FLOOR_LOCKS = 7_303


async def try_lock_booking(conn: Connection, booking_id: UUID) -> bool:
    params = {"namespace": BOOKING_LOCKS, "key": str(booking_id)}
    row = await (await conn.execute(query("try_booking_lock"), params)).fetchone()
    return bool(row and row["locked"])


async def try_restaurant_permit(conn: Connection, restaurant_id: UUID, slots: int) -> int | None:
    """One of `slots` concurrent permits for the restaurant, or None when all are taken.

    The slots are tried in order inside one statement; `LIMIT 1` stops at the first lock taken.
    """
    params = {"namespace": RESTAURANT_PERMITS, "key": str(restaurant_id), "slots": slots}
    row = await (await conn.execute(query("try_restaurant_permit"), params)).fetchone()
    return None if row is None else int(row["slot"])
