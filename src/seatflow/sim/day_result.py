"""The `seatflow.result/v2` document of a simulated service day, read back from the database.

One entry per booking of the file, in file order. A booking's outcome comes from its final status
(seated or completed → served; cancelled; no_show), except what only the simulation knows: those
turned away at request time (rejected, with the reason) and guests who arrived in time and found
no table (displaced). Moves are the `booking_moves` rows the database recorded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from seatflow.domain.service_day import DAY_RESULT_FORMAT, ServiceDay
from seatflow.sim.day_actions import DayActions
from seatflow.store.database import Connection
from seatflow.store.floors import StoredFloor
from seatflow.store.moves import move_counts

__all__ = ["day_result"]

_BOOKINGS = """
SELECT b.id, b.ref, b.party_size, b.start_at, b.status, b.source, b.seated_at, b.left_at,
       b.assignment_state,
       COALESCE(array_agg(t.key ORDER BY t.key) FILTER (WHERE t.key IS NOT NULL), '{}') AS tables,
       max(upper(a.during)) AS occupied_until
FROM bookings b
LEFT JOIN allocations a ON a.booking_id = b.id AND a.released_at IS NULL
LEFT JOIN tables t ON t.id = a.table_id
WHERE b.restaurant_id = %(restaurant_id)s
GROUP BY b.id
"""
_REASONS = ("no_availability", "outside_service_hours", "closed", "pacing")


async def day_result(
    pool: AsyncConnectionPool[Connection],
    day: ServiceDay,
    floor: StoredFloor,
    actions: DayActions,
    pipeline: str,
) -> dict[str, Any]:
    async with pool.connection() as conn:
        cursor = await conn.execute(_BOOKINGS, {"restaurant_id": floor.restaurant_id})
        rows = {row["ref"]: row for row in await cursor.fetchall()}
        moves = await move_counts(conn, floor.restaurant_id)
    buffer = timedelta(minutes=floor.plan.policy.buffer_minutes)
    entries = []
    for request in day.bookings:
        row = rows.get(request.ref)
        if row is None:
            reason = actions.tally.rejected.get(request.ref, "no_availability")
            entries.append(
                _entry(request.ref, "rejected", request.party_size, request.start_at)
                | {"reason": reason}
            )
            continue
        entry = _entry(request.ref, _outcome(row, actions), row["party_size"], row["start_at"])
        entry["moves"] = moves.get(row["id"], 0)
        if entry["outcome"] == "served":
            left = row["left_at"] or row["occupied_until"] - buffer
            entry |= {
                "tables": list(row["tables"]),
                "seated_at": _iso(row["seated_at"]),
                "left_at": _iso(left),
            }
        elif entry["outcome"] == "manual_review":
            entry["reason"] = "no_table"
        entries.append(entry)
    return {
        "format": DAY_RESULT_FORMAT,
        "scenario": day.name,
        "pipeline": pipeline,
        "assignments": entries,
        "summary": _summary(day, entries, actions),
    }


def _outcome(row: dict[str, Any], actions: DayActions) -> str:
    status = row["status"]
    if status in ("seated", "completed"):
        return "served"
    if row["ref"] in actions.tally.displaced:
        return "displaced"
    if status in ("cancelled", "no_show"):
        return str(status)
    return "manual_review"


def _entry(ref: str, outcome: str, party: int, start: datetime) -> dict[str, Any]:
    return {
        "ref": ref,
        "outcome": outcome,
        "tables": [],
        "start_at": _iso(start),
        "seated_at": None,
        "left_at": None,
        "party_size": party,
        "moves": 0,
        "reason": None,
    }


def _summary(day: ServiceDay, entries: list[dict[str, Any]], actions: DayActions) -> dict[str, Any]:
    walk_ins = {b.ref for b in day.bookings if b.source == "walk_in"}
    served = [e for e in entries if e["outcome"] == "served"]
    rejected = {reason: 0 for reason in _REASONS}
    for entry in entries:
        if entry["outcome"] == "rejected":
            rejected[entry["reason"]] = rejected.get(entry["reason"], 0) + 1
    return {
        "covers_requested": sum(b.party_size for b in day.bookings),
        "covers_served": sum(e["party_size"] for e in served),
        "walk_in_covers_served": sum(e["party_size"] for e in served if e["ref"] in walk_ins),
        "displaced_covers": sum(e["party_size"] for e in entries if e["outcome"] == "displaced"),
        "moves": sum(e["moves"] for e in entries),
        "modifications_accepted": actions.tally.modifications_accepted,
        "modifications_refused": actions.tally.modifications_refused,
        "rejected": rejected,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")
