"""Scratch databases for the benchmarks: one statement as the server's admin, or rows back."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row


def admin(server_url: str, statement: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(statement)


def fetch(url: str, sql: str, *params: Any) -> list[dict[str, Any]]:
    with psycopg.connect(url, row_factory=dict_row, autocommit=True) as conn:
        return list(conn.execute(sql, params).fetchall())
