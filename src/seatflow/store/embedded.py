"""The embedded PostgreSQL (pgserver) used when DATABASE_URL is unset: nothing to install by hand.

The server keeps running after the process that started it exits, so the CLI, workers and tests
share one instance per data directory; its database is `seatflow`.
"""

from __future__ import annotations

import os
import signal
import time
import warnings
from collections.abc import Mapping
from pathlib import Path

import platformdirs
import psycopg

from seatflow.errors import DatabaseUnavailable

EMBEDDED_DATABASE = "seatflow"


def default_data_dir() -> Path:
    """A per-user directory, so two users on one machine never share a server."""
    return Path(platformdirs.user_data_dir("seatflow")) / "pgdata"


def embedded_server_url(data_dir: Path | None = None) -> str:
    """Start (or join) the embedded server and return a URL to its maintenance database."""
    with warnings.catch_warnings():  # pgserver's platformdirs warns about XDG_RUNTIME_DIR
        warnings.simplefilter("ignore")
        import pgserver  # lazily: starting a server is never an import-time side effect

    directory = (data_dir or default_data_dir()).expanduser().resolve()
    directory.mkdir(parents=True, exist_ok=True)
    running = _postmaster_pid(directory)
    if running is not None and binary_gone(running):
        stop_embedded_server(directory)  # started from a deleted install: start ours instead
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(  # type: ignore[attr-defined]  # untyped re-export
            directory, cleanup_mode=None
        )
    uri: str = server.get_uri()
    return uri.replace("postgres:@", "postgres@")


def stop_embedded_server(data_dir: Path | None = None, *, timeout: float = 30.0) -> int | None:
    """Stop the embedded server of `data_dir` with a fast shutdown (what `pg_ctl stop` does:
    SIGINT to the postmaster, sessions rolled back, data flushed); its pid, or None if none ran.

    It starts again on the next command that needs it.
    """
    directory = (data_dir or default_data_dir()).expanduser().resolve()
    pid = _postmaster_pid(directory)
    if pid is None:
        return None
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return None
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            raise DatabaseUnavailable(
                f"the embedded server (pid {pid}) did not stop in {timeout} s"
            )
        time.sleep(0.05)
    return pid


def _postmaster_pid(directory: Path) -> int | None:
    """The pid on the first line of postmaster.pid, when the file exists and names a live one."""
    try:
        first = (directory / "postmaster.pid").read_text().splitlines()[0]
        pid = int(first.strip())
    except (OSError, IndexError, ValueError):
        return None
    return pid if _alive(pid) else None


def binary_gone(pid: int) -> bool:
    """Whether a running process's program file was deleted since it started.

    A server started from a virtualenv that was since removed or rebuilt (`rm -rf .venv`, another
    checkout's) keeps running, but can no longer load its own libraries: every new session fails
    with `could not access file "$libdir/plpgsql"`. Without /proc, or not ours to read: False.
    """
    try:
        program = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False
    return program.endswith(" (deleted)") or not os.path.exists(program)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process with that pid: not ours to stop
        return False
    return True


def embedded_url(data_dir: Path | None = None) -> str:
    """A URL to the embedded `seatflow` database, created on first use."""
    server_url = embedded_server_url(data_dir)
    ensure_database(server_url, EMBEDDED_DATABASE)
    return with_database(server_url, EMBEDDED_DATABASE)


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = database
    return _to_url(info)


def ensure_database(server_url: str, database: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


def _to_url(info: Mapping[str, object]) -> str:
    """A postgresql:// URL that psql, psycopg and SQLAlchemy all accept (socket host in query)."""
    user = info.get("user") or "postgres"
    dbname = info.get("dbname") or "postgres"
    host = str(info.get("host") or "")
    port = info.get("port")
    password = info.get("password")
    auth = f"{user}:{password}@" if password else f"{user}@"
    if host.startswith("/"):
        port_part = f"&port={port}" if port else ""
        return f"postgresql://{auth}/{dbname}?host={host}{port_part}"
    port_part = f":{port}" if port else ""
    return f"postgresql://{auth}{host}{port_part}/{dbname}"
