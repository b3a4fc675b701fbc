"""What a cluster run must leave in the database, read with plain SQL — independent of the code
under test: bookings settled on valid tables, no table twice, one start and one terminal event
per coordinator invocation, and the restaurant permits' ceiling."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import dict_row

from e2e.jobs.kit import fetch
from seatflow.store.database import prepare_option
from seatflow.store.locks import RESTAURANT_PERMITS

TERMINALS = frozenset(
    f"coordinator.{kind}" for kind in ("confirmed", "retry", "manual_review", "noop", "error")
)


def unsettled(db_url: str) -> list[dict[str, Any]]:
    """Bookings not (yet) confirmed on tables or in review with a reason, and jobs still due."""
    return fetch(
        db_url,
        "SELECT b.id::text, b.assignment_state, b.status, b.review_reason FROM bookings b "
        "WHERE NOT (b.assignment_state = 'confirmed' AND b.status = 'confirmed' AND EXISTS "
        "  (SELECT 1 FROM allocations a WHERE a.booking_id = b.id AND a.released_at IS NULL)) "
        "AND NOT (b.assignment_state = 'manual_review' AND b.review_reason IS NOT NULL) "
        "UNION ALL SELECT args->>'booking_id', 'job ' || status::text, NULL, NULL "
        "FROM procrastinate_jobs WHERE task_name = 'seatflow.auto_assign' "
        "AND status IN ('todo', 'doing')",
    )


def unannounced(db_url: str) -> list[dict[str, Any]]:
    """Settled bookings whose coordinator terminal event is not written yet (each worker writes
    its events in batches, every 0.5 s)."""
    return fetch(
        db_url,
        "SELECT id FROM bookings b WHERE assignment_state IN ('confirmed', 'manual_review') "
        "AND NOT EXISTS (SELECT 1 FROM observability_events e WHERE e.booking_id = b.id "
        "AND e.event_type = ANY(%s))",
        sorted(TERMINALS),
    )


def table_problems(db_url: str) -> list[str]:
    """Each confirmed booking's live tables: of its restaurant, covering its time, one table or
    a set of combinable tables joined by adjacency, no more than the floor allows, seating the
    party within the tables' minimum and capacity."""
    rows = fetch(
        db_url,
        "SELECT b.id::text AS booking, b.party_size, r.max_tables_per_booking AS most, "
        "array_agg(t.id) AS ids, sum(t.capacity) AS seats, bool_and(t.combinable) AS joinable, "
        "max(t.min_party) AS min_party, bool_and(a.during @> tstzrange(b.start_at, b.end_at)) "
        "AS covers, bool_and(t.restaurant_id = b.restaurant_id) AS own "
        "FROM bookings b JOIN restaurants r ON r.id = b.restaurant_id "
        "JOIN allocations a ON a.booking_id = b.id AND a.released_at IS NULL "
        "JOIN tables t ON t.id = a.table_id GROUP BY b.id, r.id",
    )
    pairs = {(p["table_a"], p["table_b"]) for p in fetch(db_url, "SELECT * FROM table_adjacency")}
    problems = []
    for row in rows:
        ids, single = row["ids"], len(row["ids"]) == 1
        fits = row["party_size"] <= row["seats"] and (
            not single or row["min_party"] <= row["party_size"]
        )
        joined = single or (row["joinable"] and _connected(ids, pairs))
        if not (row["own"] and row["covers"] and fits and joined and len(ids) <= row["most"]):
            problems.append(f"{row['booking']}: {row}")
    return problems


def _connected(ids: list[int], pairs: set[tuple[int, int]]) -> bool:
    reached, todo = {ids[0]}, [ids[0]]
    while todo:
        here = todo.pop()
        for other in ids:
            if other not in reached and (min(here, other), max(here, other)) in pairs:
                reached.add(other)
                todo.append(other)
    return len(reached) == len(ids)


def double_bookings(db_url: str) -> list[dict[str, Any]]:
    """Two live allocations of one table whose windows overlap (the exclusion constraint's
    rule, asked directly)."""
    return fetch(
        db_url,
        "SELECT a.table_id, a.booking_id::text AS a, b.booking_id::text AS b FROM allocations a "
        "JOIN allocations b ON a.table_id = b.table_id AND a.id < b.id AND a.during && b.during "
        "WHERE a.released_at IS NULL AND b.released_at IS NULL",
    )


def bracket_problems(db_url: str, killed: set[str]) -> tuple[int, list[str]]:
    """Walk each booking's coordinator events in order: every start is followed by exactly one
    terminal before the next start. The one exception allowed: a booking an invocation of
    which died with a SIGKILLed worker (`killed`) may have that invocation's start alone, once.
    Returns (invocations, problems)."""
    rows = fetch(
        db_url,
        "SELECT booking_id::text AS booking, event_type FROM observability_events "
        "WHERE source = 'assignment.coordinator' AND (event_type = 'coordinator.start' "
        "OR event_type = ANY(%s)) ORDER BY booking_id, created_at, id",
        sorted(TERMINALS),
    )
    by_booking: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_booking[row["booking"]].append(row["event_type"])
    problems, invocations = [], 0
    for booking, events in by_booking.items():
        open_, orphans = False, 0
        for event in events:
            if event == "coordinator.start":
                orphans += open_
                open_ = True
                invocations += 1
            elif not open_:
                problems.append(f"{booking}: {event} without a start")
            else:
                open_ = False
        if open_ or orphans > (booking in killed):
            problems.append(f"{booking}: a start without its terminal: {events}")
    return invocations, problems


def permit_slots(db_url: str) -> list[int]:
    """The slot of every permit the coordinators reported taking."""
    rows = fetch(
        db_url,
        "SELECT (context->>'slot')::int AS slot FROM observability_events "
        "WHERE event_type = 'coordinator.rate_permit_acquired'",
    )
    return [row["slot"] for row in rows]


#: Permit locks held now, per restaurant and process: the advisory locks' keys are
#: (RESTAURANT_PERMITS, hashtext(restaurant || ':' || slot)), an oid in pg_locks.
HELD_PERMITS = """
SELECT r.slug, count(*) AS held, array_agg(DISTINCT a.application_name) AS holders
FROM restaurants r CROSS JOIN generate_series(0, 19) AS s(slot)
JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
  AND l.classid::int8 = %(namespace)s
  AND l.objid::int8 = (hashtext(r.id::text || ':' || s.slot)::int8 + 4294967296) %% 4294967296
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
JOIN pg_stat_activity a ON a.pid = l.pid
GROUP BY r.slug
"""


@dataclass
class PermitWatch:
    """Samples the permit locks held across the cluster, on its own thread, until stopped."""

    db_url: str
    most: dict[str, int] = field(default_factory=dict)
    holders: set[str] = field(default_factory=set)
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> PermitWatch:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        options = prepare_option()  # it runs one statement many times: through a pooler too
        with psycopg.connect(self.db_url, autocommit=True, row_factory=dict_row, **options) as conn:
            while not self._stop.wait(0.05):
                params = {"namespace": RESTAURANT_PERMITS}
                for row in conn.execute(HELD_PERMITS, params).fetchall():  # type: ignore[arg-type]
                    self.most[row["slug"]] = max(self.most.get(row["slug"], 0), row["held"])
                    self.holders.update(row["holders"])
                self.samples += 1
