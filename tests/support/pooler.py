"""Runs of the suite through a connection pooler (`SEATFLOW_TEST_POOLER_URL`, see
docs/architecture.md): what changes for the tests."""

from __future__ import annotations

import os

import pytest

from seatflow.settings import parse_flag

#: The pooler each test's database is reached through (databases are still made on the server).
POOLER_URL = os.environ.get("SEATFLOW_TEST_POOLER_URL") or None

#: `SEATFLOW_PREPARED_STATEMENTS` as the processes under test read it: the tests' own
#: connections (fixtures, pools a test opens) follow it too, or they would trip over a pooler
#: that cannot carry prepared statements where seatflow itself does not.
PREPARED_STATEMENTS = parse_flag(os.environ.get("SEATFLOW_PREPARED_STATEMENTS", "true"))

#: For a test that terminates the server session under a client and waits for the client to
#: see it: a pooler in between drops that server connection and opens another by itself, so
#: the failure the test waits for never reaches the client (behind a pooler, a restart of the
#: pooler itself is what a client sees).
kills_server_sessions = pytest.mark.skipif(
    POOLER_URL is not None,
    reason="behind a pooler a killed server session is replaced before the client sees it",
)

#: For a test that makes psycopg prepare statements on purpose: PgBouncer before 1.21 in
#: transaction mode cannot carry them (that is what `SEATFLOW_PREPARED_STATEMENTS=false` is for).
prepares_statements = pytest.mark.skipif(
    POOLER_URL is not None,
    reason="prepared statements are checked on the server, not through a pooler",
)
