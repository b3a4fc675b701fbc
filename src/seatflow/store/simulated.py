"""What a simulation may touch: restaurants it created and the bookings it made, nothing else.

Simulations run in a scratch database of their own; when the user points one at a database on
purpose (`--database`), this guard is what keeps a slug shared with a real restaurant from
costing that restaurant its floor or its bookings.
"""

from __future__ import annotations

from seatflow.domain.floor import FloorPlan
from seatflow.errors import LiveDataRefused
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor, import_floor, load_floor
from seatflow.store.queries import query

__all__ = ["reset_simulated_restaurant"]


async def reset_simulated_restaurant(conn: Connection, floor: FloorPlan) -> StoredFloor:
    """Import `floor` as a simulation's restaurant with none of its earlier simulated bookings
    or broken tables.

    Refuses (LiveDataRefused, nothing written) a restaurant that exists but was not created by a
    simulation, or that has bookings no simulation made. The caller's transaction makes it whole.
    """
    params = {"slug": floor.slug}
    row = await (await conn.execute(query("restaurant_for_simulation"), params)).fetchone()
    if row is not None:
        if not row["simulated"] or row["live_bookings"]:
            raise LiveDataRefused(_refusal(floor.slug, row["simulated"], row["live_bookings"]))
        for clear in ("clear_simulated_bookings", "clear_simulated_blocks"):
            await conn.execute(query(clear), {"restaurant_id": row["id"]})
    restaurant_id = await import_floor(conn, floor)
    await conn.execute(query("mark_restaurant_simulated"), {"restaurant_id": restaurant_id})
    return await load_floor(conn, floor.slug)


def _refusal(slug: str, simulated: bool, live_bookings: int) -> str:
    why = (
        f"has {live_bookings} booking(s) no simulation made"
        if simulated
        else f"was not created by a simulation ({live_bookings} booking(s))"
    )
    return (
        f"restaurant {slug!r} in that database {why}: refusing to reset it. Run without "
        "--database (a scratch database), or point --database at a database kept for simulations"
    )
