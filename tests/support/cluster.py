"""A PostgreSQL cluster of a test's own, made with the binaries bundled in the pgserver package:
a test may restart it, stop it and start it again without touching the suite's server (the
embedded one, or DATABASE_URL's), so it behaves the same in both CI runs.

It listens on 127.0.0.1 at a free port (the port survives restarts) and on a socket in a short
directory under /tmp. As root, initdb and the server run as pgserver's own `pgserver` user, as
pgserver itself does.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

with warnings.catch_warnings():  # pgserver's platformdirs warns about XDG_RUNTIME_DIR
    warnings.simplefilter("ignore")
    import pgserver
    from pgserver.utils import ensure_user_exists

__all__ = ["TemporaryCluster", "temporary_cluster"]

_BIN = Path(pgserver.__file__).parent / "pginstall" / "bin"
_SYSTEM_USER = "pgserver"
#: No fsync: a fast shutdown still writes everything committed, and its checkpoint must not wait
#: on a disk a whole test suite keeps busy. A short authentication_timeout: a shutdown waits for
#: every connection still in its start-up, and one whose client went quiet (a connect attempt
#: abandoned half-way) would hold `pg_ctl stop` for the default 60 s — seen here.
_SETTINGS = "-c fsync=off -c full_page_writes=off -c authentication_timeout=2s"
#: Refused connection attempts during a shutdown: what a server log is full of, and says nothing.
_NOISE = "the database system is shutting down"


class TemporaryCluster:
    """initdb'd on creation; `start`, `restart`, `stop` are pg_ctl's (fast shutdown, waited)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self._user = _SYSTEM_USER if os.geteuid() == 0 else None
        if self._user is not None:
            ensure_user_exists(self._user)
            shutil.chown(root, self._user)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "--auth=trust",
            "-U",
            "postgres",
            "-E",
            "utf8",
            "--no-sync",
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._pg_ctl("-o", self._options, "-l", str(self.root / "server.log"), "start")

    def restart(self) -> None:
        self._pg_ctl(
            "-m", "fast", "-o", self._options, "-l", str(self.root / "server.log"), "restart"
        )

    @property
    def _options(self) -> str:
        return f"-h 127.0.0.1 -p {self.port} -k {self.root} {_SETTINGS}"

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "stop")

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", *args)

    def _run(self, program: str, *args: str) -> None:
        """Run a bundled program; its output goes to a file (pg_ctl's server inherits it: a
        pipe would never close), quoted in the error when it fails."""
        output = self.root / f"{program}.out"
        with output.open("w") as sink:
            done = subprocess.run(
                [str(_BIN / program), *args],
                stdout=sink,
                stderr=sink,
                user=self._user,
                timeout=60,
                check=False,
            )
        if done.returncode != 0:
            said = output.read_text().strip()
            lines = (self.root / "server.log").read_text().splitlines()
            server = "\n".join([line for line in lines if _NOISE not in line][-25:])
            raise AssertionError(f"{program} {' '.join(args)}: {said}\nserver log:\n{server}")


@contextmanager
def temporary_cluster() -> Iterator[TemporaryCluster]:
    """A started cluster, stopped (immediately) and deleted afterwards."""
    root = Path(tempfile.mkdtemp(prefix="sfpg-"))  # short: a socket path has ~100 bytes
    try:
        cluster = TemporaryCluster(root)
        cluster.start()
        try:
            yield cluster
        finally:
            with suppress(AssertionError):  # already stopped
                cluster.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
