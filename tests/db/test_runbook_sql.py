"""Every SQL query in the runbooks, run over the events of a real simulated evening (V3 with late
walk-ins, shadow and legacy, in the last hour of real time): each gives the figures that the
bookings, their state history and the simulation's own outcomes say it must."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from seatflow.pipeline.rollout_gate import CheckStatus, Thresholds, Verdict
from seatflow.pipeline.rollout_report import read_report
from seatflow.store.embedded import with_database
from seatflow.store.rollout import EvidenceWindow
from support.evening import Evening, run_evening

DOCS = Path(__file__).resolve().parents[2] / "docs"
RUNBOOKS = ("assignment-pipeline-rollout.md", "legacy-cleanup.md")
#: A fenced SQL block and the last line of prose before it (its caption).
_SQL_BLOCK = re.compile(r"([^\n]+)\n\s*```sql\n(.*?)```", re.DOTALL)
Rows = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Query:
    where: str
    caption: str
    sql: str


def runbook_queries() -> list[Query]:
    found = []
    for name in RUNBOOKS:
        for index, (caption, sql) in enumerate(_SQL_BLOCK.findall((DOCS / name).read_text())):
            found.append(Query(f"{name}#{index}", caption.strip(), sql))
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class Evenings:
    url: str
    v3: Evening
    shadow: Evening
    legacy: Evening


@pytest.fixture(scope="module")
async def evenings(server_url: str, template_db: str) -> AsyncIterator[Evenings]:
    """One database for the module, holding the three evenings (a few seconds to run)."""
    name = f"seatflow_ev_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = with_database(server_url, name)
    try:
        yield Evenings(
            url=url,
            v3=await run_evening(url, "v3", walk_ins=3),
            shadow=await run_evening(url, "shadow"),
            legacy=await run_evening(url, "legacy"),
        )
    finally:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(server_url: str, statement: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(statement)  # type: ignore[arg-type]  # identifiers we generated


class Truth:
    """What the evening did, from the record of truth (bookings, state history) and the
    outcomes its routers returned — never from observability_events."""

    def __init__(
        self, evenings: Evenings, states: Rows, history: Rows, worse: int, moves: Rows = ()
    ) -> None:
        self.evenings = evenings
        self.moves = {r["reason"]: r["n"] for r in moves}
        self.disagreements = worse
        self.states = Counter({(r["slug"], r["assignment_state"]): r["n"] for r in states})
        self.history = {(r["from_state"], r["to_state"]): r["n"] for r in history}

    def bookings(self, evening: Evening, state: str) -> int:
        return self.states[(evening.slug, state)]

    @property
    def legacy_runs(self) -> int:
        return self.evenings.shadow.invocations + self.evenings.legacy.invocations


async def truth_of(conn: psycopg.AsyncConnection[Any], evenings: Evenings) -> Truth:
    states = await conn.execute(
        "SELECT r.slug, b.assignment_state, count(*) AS n FROM bookings b "
        "JOIN restaurants r ON r.id = b.restaurant_id GROUP BY 1, 2"
    )
    history = await conn.execute(
        "SELECT from_state, to_state, count(*) AS n FROM booking_assignment_state_history "
        "GROUP BY 1, 2"
    )
    worse = await conn.execute(
        "SELECT count(*) AS n FROM observability_events "
        "WHERE event_type = 'coordinator.shadow_compare' "
        "  AND context->>'classification' IN ('legacy_better', 'v3_error')"
    )
    row = await worse.fetchone()
    assert row is not None
    moves = await conn.execute("SELECT reason, count(*) AS n FROM booking_moves GROUP BY 1")
    return Truth(
        evenings,
        await states.fetchall(),
        await history.fetchall(),
        row["n"],
        await moves.fetchall(),
    )


def by_type(rows: Rows, truth: Truth) -> None:
    counts: Counter[str] = Counter()
    for row in rows:
        counts[row["event_type"]] += row["events"]
    assert {row["source"] for row in rows} == {
        "assignment.coordinator",
        "assignment.state_machine",
        "auto_assign",
    }
    v3, shadow = truth.evenings.v3, truth.evenings.shadow
    assert counts["coordinator.start"] == v3.invocations
    assert counts["coordinator.confirmed"] == truth.bookings(v3, "confirmed")
    assert counts["coordinator.shadow_compare"] == len(shadow.scenario["bookings"])
    assert counts["auto_assign.summary"] == truth.legacy_runs
    assert counts["booking.assignment_state_transition"] == sum(truth.history.values())


def v3_rates(rows: Rows, truth: Truth) -> None:
    v3 = truth.evenings.v3
    confirmed, review = truth.bookings(v3, "confirmed"), truth.bookings(v3, "manual_review")
    errors = v3.outcomes["error"]
    assert confirmed > 0 and review > 0  # the walk-ins ended in review
    success = round(Decimal(confirmed) / (confirmed + review + errors), 4)
    assert rows == [
        {"confirmed": confirmed, "manual_review": review, "errors": errors, "success_rate": success}
    ]


def starts_and_terminals(rows: Rows, truth: Truth) -> None:
    invocations = truth.evenings.v3.invocations
    assert invocations > 0 and rows == [{"starts": invocations, "terminals": invocations}]


def retries(rows: Rows, truth: Truth) -> None:
    assert [(r["reason"], r["retries"]) for r in rows] == [
        ("no_capacity", truth.evenings.v3.outcomes["retry"])
    ]
    assert rows[0]["retries"] > 0 and rows[0]["mean_delay_s"] > 0


def errors_per_minute(rows: Rows, truth: Truth) -> None:
    assert sum(row["errors"] for row in rows) == truth.evenings.v3.outcomes["error"]


def shadow_agreement(rows: Rows, truth: Truth) -> None:
    assert sum(row["comparisons"] for row in rows) == len(
        truth.evenings.shadow.scenario["bookings"]
    )
    known = {"same", "equivalent", "v3_better", "legacy_better", "v3_error"}
    assert {row["classification"] for row in rows} <= known
    assert "same" in {row["classification"] for row in rows}
    assert all(row["mean_v3_ms"] is not None for row in rows)


def shadow_disagreements(rows: Rows, truth: Truth) -> None:
    """As many as the comparisons classified worse or failing (the only record of them is the
    comparison event itself), each with both sides."""
    assert len(rows) == min(50, truth.disagreements)
    assert all(row["legacy"] is not None and row["v3"] is not None for row in rows)


def lock_contention(rows: Rows, truth: Truth) -> None:
    """One walk-in ran while another session held its lock: one contention, one noop."""
    assert sorted((r["event_type"], r["reason"], r["events"]) for r in rows) == [
        ("coordinator.lock_contention", "", 1),
        ("coordinator.noop", "lock_contention", 1),
    ]


def review_queue(rows: Rows, truth: Truth) -> None:
    walk_ins = truth.bookings(truth.evenings.v3, "manual_review")
    assert [(r["assignment_state"], r["bookings"]) for r in rows] == [("manual_review", walk_ins)]


def transitions(rows: Rows, truth: Truth) -> None:
    assert rows and all(r["from_state"] and r["to_state"] for r in rows)
    assert {(r["from_state"], r["to_state"]): r["transitions"] for r in rows} == truth.history


def legacy_outcomes(rows: Rows, truth: Truth) -> None:
    shadow, legacy = truth.evenings.shadow, truth.evenings.legacy
    runs = shadow.outcomes + legacy.outcomes
    assert {r["outcome"]: r["runs"] for r in rows} == dict(runs)
    assert runs["confirmed"] == truth.bookings(shadow, "confirmed") + truth.bookings(
        legacy, "confirmed"
    )


def legacy_still_routed(rows: Rows, truth: Truth) -> None:
    """The evening still ran legacy, so retirement's evidence is not there: a start and a
    summary at least per legacy run."""
    assert rows[0]["count"] >= 2 * truth.legacy_runs > 0


def floor_events(rows: Rows, truth: Truth) -> None:
    """The evening reports nothing at the door (tests/e2e/api/test_live_service.py runs these
    three over a live service)."""
    assert rows == []


def moves_by_reason(rows: Rows, truth: Truth) -> None:
    assert {r["reason"]: r["moves"] for r in rows} == truth.moves


def live_statuses(rows: Rows, truth: Truth) -> None:
    assert sum(r["no_shows"] + r["seated"] + r["walk_ins"] + r["pinned"] for r in rows) == 0


#: Each runbook query's checker, found by a phrase of the prose line before it.
FIGURES: dict[str, Callable[[Rows, Truth], None]] = {
    "by type and severity": by_type,
    "success and manual-review rates": v3_rates,
    "one start and one terminal": starts_and_terminals,
    "Retries by reason": retries,
    "Errors per minute": errors_per_minute,
    "Shadow agreement": shadow_agreement,
    "Shadow disagreements": shadow_disagreements,
    "Lock contention": lock_contention,
    "manual-review queue": review_queue,
    "State-machine transitions": transitions,
    "Legacy outcomes": legacy_outcomes,
    "Zero `auto_assign.summary`": legacy_still_routed,
    "Live-service events of the last 12 hours": floor_events,
    "`booking_moves`, the record of every change": moves_by_reason,
    "Live-service statuses": live_statuses,
}


def checker(query: Query) -> Callable[[Rows, Truth], None]:
    found = [check for phrase, check in FIGURES.items() if phrase in query.caption]
    assert len(found) == 1, f"{query.where} ({query.caption!r}): no figures asserted for it"
    return found[0]


async def connect(url: str) -> psycopg.AsyncConnection[dict[str, Any]]:
    return await psycopg.AsyncConnection.connect(url, row_factory=dict_row)


def test_the_runbooks_contain_queries() -> None:
    """The runbooks carry monitoring SQL at all (guards the extraction below)."""
    assert len(runbook_queries()) >= 12


@pytest.mark.parametrize("query", runbook_queries(), ids=lambda q: q.where)
async def test_runbook_query_gives_the_evenings_figures(evenings: Evenings, query: Query) -> None:
    """The query's figures over a real evening are those of its bookings and outcomes."""
    check = checker(query)
    async with await connect(evenings.url) as conn:
        truth = await truth_of(conn, evenings)
        rows = await (await conn.execute(query.sql)).fetchall()  # type: ignore[arg-type]
    check(rows, truth)


@pytest.mark.parametrize("query", runbook_queries(), ids=lambda q: q.where)
def test_runbook_query_says_not_simulated(query: Query) -> None:
    """Each query names the exclusion, also those the evening leaves empty (errors,
    disagreements), where the test above cannot tell."""
    assert "AND NOT simulated" in query.sql


def _nothing(rows: Rows) -> bool:
    return all(value in (0, None) for row in rows for value in row.values())


@pytest.mark.parametrize("query", runbook_queries(), ids=lambda q: q.where)
async def test_runbook_query_leaves_out_simulated_rows(evenings: Evenings, query: Query) -> None:
    """With every event and booking marked simulated, the query finds nothing."""
    async with await connect(evenings.url) as conn:
        await conn.execute("UPDATE observability_events SET simulated = true")
        await conn.execute("UPDATE bookings SET simulated = true")
        rows = await (await conn.execute(query.sql)).fetchall()  # type: ignore[arg-type]
        await conn.rollback()
    assert _nothing(rows), rows


async def test_the_gate_reads_the_evening(evenings: Evenings) -> None:
    """The gate's figures over the evening are the bookings'; marked simulated, the events are
    left out (nothing to judge) unless included."""
    window = EvidenceWindow(since=datetime.now(UTC) - timedelta(hours=1))
    limits = Thresholds(min_outcomes=20, min_comparisons=20)
    async with await connect(evenings.url) as conn:
        truth = await truth_of(conn, evenings)
        report = await read_report(conn, window, limits)
        await conn.execute("UPDATE observability_events SET simulated = true")
        hidden = await read_report(conn, window, limits)
        included = await read_report(conn, replace(window, include_simulated=True), limits)
        await conn.rollback()
    v3 = report.stats["v3"]
    assert v3.confirmed == truth.bookings(evenings.v3, "confirmed")
    assert v3.manual_review == truth.bookings(evenings.v3, "manual_review") > 0
    assert sum(report.shadow.values()) == len(evenings.shadow.scenario["bookings"])
    assert report.stats["legacy"].confirmed == truth.legacy_runs
    per_restaurant = {scope.name: scope for scope in report.restaurants}
    assert per_restaurant["ev-v3"].stats["v3"].decided == v3.decided
    assert sum(per_restaurant["ev-shadow"].shadow.values()) == sum(report.shadow.values())
    assert report.gate.verdict is Verdict.NO_GO  # 3 walk-ins in review: above 1 %
    assert hidden.gate.verdict is Verdict.INSUFFICIENT and hidden.stats == {}
    assert {check.status for check in hidden.gate.checks} == {CheckStatus.NO_DATA}
    assert included.gate == report.gate and included.stats == report.stats
