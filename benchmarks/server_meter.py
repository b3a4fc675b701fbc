"""Measuring what a phase of work costs one database on a PostgreSQL server on this machine:
CPU of its backends and of client processes (from /proc), WAL of this database alone (from
pg_walinspect) and rows written by table (pg_stat_user_tables). Used by server_cost.py."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from scratch_db import fetch

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a live process, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


@dataclass
class BackendCpu:
    """CPU of one database's backends over a phase, by the client's `application_name`, sampled
    on a thread of its own (connected to the server URL's database, so never counted)."""

    server_url: str
    database: str
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.sample(initial=True)
        self._thread.start()

    def sample(self, *, initial: bool = False) -> None:
        rows = fetch(
            self.server_url,
            "SELECT pid, application_name AS name FROM pg_stat_activity WHERE datname = %s",
            self.database,
        )
        for row in rows:
            seconds = cpu_seconds(row["pid"])
            if seconds is not None:
                self.first.setdefault(row["pid"], seconds if initial else 0.0)
                self.last[row["pid"]] = seconds
                self.names[row["pid"]] = row["name"] or "producer"

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.sample()

    def stop(self) -> dict[str, float]:
        """CPU seconds of the phase by application name (a last sample first)."""
        self._stop.set()
        self._thread.join()
        self.sample()
        used: dict[str, float] = {}
        for pid, seconds in self.last.items():
            name = self.names[pid]
            used[name] = used.get(name, 0.0) + seconds - self.first[pid]
        return used


@dataclass
class Snapshot:
    """Where the server stood: this database's rows written by table, the WAL position."""

    lsn: str
    rows: Counter[str]

    @classmethod
    def take(cls, url: str) -> Snapshot:
        (position,) = fetch(url, "SELECT pg_current_wal_lsn()::text AS lsn")
        rows: Counter[str] = Counter()
        for row in fetch(
            url,
            "SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del "
            "FROM pg_stat_user_tables",
        ):
            for kind in ("ins", "upd", "del"):
                rows[f"{row['relname']}:{kind}"] = row[kind]
        return cls(position["lsn"], rows)


#: This database's WAL between two positions, by table (an index's records count for its
#: table): records touching one of its relations (by relfilenode, attributed to the first
#: block), and commit records of the transactions that wrote them.
WAL_BY_RELATION = """
WITH r AS (
    SELECT xid, record_length, fpi_length, resource_manager,
           substring(block_ref from 'rel \\d+/' || %s || '/(\\d+)')::oid AS node
    FROM pg_get_wal_records_info(%s::pg_lsn, %s::pg_lsn)
), ours AS (SELECT DISTINCT xid FROM r WHERE node IS NOT NULL AND xid <> 0)
SELECT coalesce(t.relname, c.relname,
                CASE WHEN r.node IS NULL THEN 'commit records' ELSE 'other' END) AS relation,
       sum(record_length) AS bytes, sum(fpi_length) AS fpi, count(*) AS records
FROM r LEFT JOIN pg_class c ON c.relfilenode = r.node
LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid
WHERE r.node IS NOT NULL OR (r.resource_manager = 'Transaction' AND r.xid IN (SELECT xid FROM ours))
GROUP BY 1 ORDER BY 2 DESC
"""


@dataclass
class Phase:
    """What one phase cost: `processes` is the CPU seconds of the processes doing its work
    outside PostgreSQL, by role (the producer, the API with its planning processes, workers)."""

    name: str
    bookings: int
    backend_cpu: dict[str, float]
    processes: dict[str, float]
    wal: list[dict[str, Any]]
    server_wal: int
    rows: Counter[str]


class Meter:
    """A phase being measured on `database`: the snapshot and the backend CPU start now."""

    def __init__(self, server_url: str, url: str, database: str) -> None:
        self.url = url
        # A temporary physical replication slot keeps the phase's WAL on the server until it is
        # read (a checkpoint may come any time on a shared server: every DROP DATABASE asks
        # for one); it goes away with this connection, even if the process dies.
        self._slot = psycopg.connect(server_url, autocommit=True)
        self._slot.execute(
            "SELECT pg_create_physical_replication_slot(%s, true, true)",
            (f"seatflow_cost_{os.getpid()}",),
        )
        self.before = Snapshot.take(url)
        self.cpu = BackendCpu(server_url, database)
        self.backend_cpu: dict[str, float] = {}

    def stop_cpu(self) -> None:
        """Call while the phase's connections are still open (their backends still alive)."""
        self.backend_cpu = self.cpu.stop()

    def finish(self, name: str, bookings: int, processes: dict[str, float]) -> Phase:
        """Call once the phase's connections are closed: an exiting backend flushes its row
        counts (a live one may hold them back up to 10 s)."""
        time.sleep(1.5)
        after = Snapshot.take(self.url)
        try:
            wal, server_wal = measure_wal(self.url, self.before, after)
        finally:
            self._slot.close()
        rows = after.rows - self.before.rows
        return Phase(name, bookings, self.backend_cpu, processes, wal, server_wal, rows)


def tree_cpu(pid: int) -> float:
    """CPU seconds of a live process and of its live descendants (the API's planning pool)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        here = todo.pop()
        total += cpu_seconds(here) or 0.0
        todo += children.get(here, [])
    return total


def measure_wal(url: str, before: Snapshot, after: Snapshot) -> tuple[list[dict[str, Any]], int]:
    """This database's WAL by relation between the snapshots, and the whole server's."""
    (oid,) = fetch(
        url, "SELECT oid::text AS oid FROM pg_database WHERE datname = current_database()"
    )
    wal = fetch(url, WAL_BY_RELATION, oid["oid"], before.lsn, after.lsn)
    (delta,) = fetch(url, "SELECT %s::pg_lsn - %s::pg_lsn AS n", after.lsn, before.lsn)
    return wal, int(delta["n"])


def render(phases: list[Phase], total: list[Phase]) -> str:
    """Three Markdown tables: per booking by phase (and `total`, summed), rows by table, WAL
    by relation."""
    return "\n\n".join([_summary(phases, total), _rows_by_table(phases), _wal_by_relation(phases)])


def _summary(phases: list[Phase], total: list[Phase]) -> str:
    extra = [" + ".join(p.name for p in total)] if len(total) > 1 else []
    lines = [
        "| per booking | " + " | ".join([p.name for p in phases] + extra) + " |",
        "|---|" + "---|" * (len(phases) + len(extra)),
    ]

    def row(label: str, value: Any) -> None:
        cells = [value(p) / p.bookings for p in phases]
        cells += [sum(value(p) / p.bookings for p in total)] if extra else []
        lines.append(f"| {label} | " + " | ".join(f"{v:,.2f}" for v in cells) + " |")

    row("PostgreSQL backend CPU, ms", lambda p: 1000 * sum(p.backend_cpu.values()))
    for name in sorted({name for p in phases for name in p.backend_cpu}):
        row(f"… for the {name}", lambda p, name=name: 1000 * p.backend_cpu.get(name, 0.0))
    for role in sorted({role for p in phases for role in p.processes}):
        row(f"CPU of the {role}, ms", lambda p, role=role: 1000 * p.processes.get(role, 0.0))
    row("WAL of this database, bytes", lambda p: _wal(p))
    row("… of which full-page images", lambda p: _wal(p, "fpi"))
    row("WAL of the whole server (shared), bytes", lambda p: p.server_wal)
    for kind, label in (("ins", "inserted"), ("upd", "updated"), ("del", "deleted")):
        row(f"rows {label}", lambda p, kind=kind: _rows(p, kind))
    return "\n".join(lines)


def _rows_by_table(phases: list[Phase]) -> str:
    lines = ["Rows written per booking, by table (inserted / updated / deleted):", ""]
    lines += ["| table | " + " | ".join(p.name for p in phases) + " |"]
    lines += ["|---|" + "---|" * len(phases)]
    for table in sorted({key.split(":")[0] for p in phases for key, n in p.rows.items() if n}):
        cells = [
            " / ".join(f"{p.rows[f'{table}:{kind}'] / p.bookings:.2f}" for kind in KINDS)
            for p in phases
        ]
        lines.append(f"| `{table}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _wal_by_relation(phases: list[Phase]) -> str:
    lines = ["WAL per booking by table, indexes included, bytes (of which full-page images):", ""]
    lines += ["| relation | " + " | ".join(p.name for p in phases) + " |"]
    lines += ["|---|" + "---|" * len(phases)]
    names = {r["relation"] for p in phases for r in p.wal}
    for name in sorted(names, key=lambda n: -_relation_bytes(phases, n)):
        cells = []
        for p in phases:
            found = [r for r in p.wal if r["relation"] == name]
            bytes_, fpi = (found[0]["bytes"], found[0]["fpi"]) if found else (0, 0)
            cells.append(f"{bytes_ / p.bookings:,.0f} ({fpi / p.bookings:,.0f})")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


KINDS = ("ins", "upd", "del")


def _wal(phase: Phase, column: str = "bytes") -> float:
    return float(sum(r[column] for r in phase.wal))


def _rows(phase: Phase, kind: str) -> int:
    return sum(n for key, n in phase.rows.items() if key.endswith(f":{kind}"))


def _relation_bytes(phases: list[Phase], name: str) -> float:
    return sum(
        float(r["bytes"]) / p.bookings for p in phases for r in p.wal if r["relation"] == name
    )
