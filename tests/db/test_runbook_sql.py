"""Every SQL query in the runbooks runs against the migrated schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seatflow.store.database import Connection

DOCS = Path(__file__).resolve().parents[2] / "docs"
RUNBOOKS = ("assignment-pipeline-rollout.md", "legacy-cleanup.md")
_SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)


def runbook_queries() -> list[tuple[str, str]]:
    found = []
    for name in RUNBOOKS:
        text = (DOCS / name).read_text()
        for index, block in enumerate(_SQL_BLOCK.findall(text)):
            found.append((f"{name}#{index}", block))
    return found


def test_the_runbooks_contain_queries() -> None:
    """The runbooks carry monitoring SQL at all (guards the extraction below)."""
    assert len(runbook_queries()) >= 8


@pytest.mark.parametrize(("where", "sql"), runbook_queries(), ids=lambda v: str(v)[:40])
async def test_runbook_query_runs(conn: Connection, where: str, sql: str) -> None:
    """The query parses, plans and executes on the real schema."""
    await conn.execute(sql)  # type: ignore[arg-type]  # literal SQL from our own docs
    await conn.rollback()
