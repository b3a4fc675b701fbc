"""What end-to-end tests share about real `seatflow` processes."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

#: `spawn("worker", "--concurrency", "2")` → the started `python -m seatflow.cli …` process.
Spawn = Callable[..., "subprocess.Popen[str]"]
