"""A running embedded server whose program was deleted (its virtualenv removed or rebuilt) is
recognised, so the next command stops it and starts one from its own install."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from seatflow.store.embedded import binary_gone

pytestmark = pytest.mark.skipif(not Path("/proc/self/exe").exists(), reason="needs /proc")


@pytest.fixture
def sleeper(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A process running from a copy of `sleep` in tmp_path."""
    program = tmp_path / "sleep-copy"
    shutil.copy2(shutil.which("sleep") or "/bin/sleep", program)
    process = subprocess.Popen([str(program), "30"])
    yield process, program
    process.kill()
    process.wait()


def test_a_process_whose_program_is_in_place_is_not_gone(
    sleeper: tuple[subprocess.Popen[bytes], Path],
) -> None:
    process, _ = sleeper
    assert not binary_gone(process.pid)


def test_a_process_whose_program_was_deleted_is_gone(
    sleeper: tuple[subprocess.Popen[bytes], Path],
) -> None:
    process, program = sleeper
    program.unlink()
    assert binary_gone(process.pid)


def test_a_process_that_is_not_there_is_not_gone() -> None:
    """No such pid (or not ours to read): nothing to stop."""
    assert not binary_gone(2**22 + 12345)  # above Linux's largest pid
