"""pgbench's TPC-B on the benchmark's server: the yardstick its throughput is read against."""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
from pathlib import Path

from scratch_db import admin

from seatflow.store.embedded import with_database


def pgbench_binary() -> str:
    candidates = [shutil.which("pgbench") or ""]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)
    try:
        import pgserver

        candidates.append(str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "pgbench"))
    except ImportError:
        pass
    for path in candidates:
        if path and Path(path).exists():
            return path
    raise SystemExit("no pgbench binary found")


def pgbench_tps(server_url: str, seconds: int) -> tuple[float, str]:
    name = "seatflow_bench_pgbench"
    admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(server_url, f'CREATE DATABASE "{name}"')
    url, binary = with_database(server_url, name), pgbench_binary()
    try:
        subprocess.run([binary, "-i", "-s", "1", "-q", url], check=True, capture_output=True)
        done = subprocess.run(
            [binary, "-c", "4", "-j", "2", "-T", str(seconds), url],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    assert match, done.stdout
    return float(match.group(1)), binary
