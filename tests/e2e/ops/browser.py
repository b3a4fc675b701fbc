"""A real `seatflow` app served by uvicorn on a free port (in a thread of the test process) and
headless Chromium — Debian's /usr/bin/chromium, never a browser Playwright downloads."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from e2e.api.kit import api_settings
from seatflow.api import create_app

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "live_server"]

CHROMIUM = Path("/usr/bin/chromium")
#: No GPU, no sandbox (containers), and nothing that reaches for the network on its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def live_server(url: str) -> Iterator[str]:
    """The app on `url`'s database at http://127.0.0.1:<port>, until the block ends."""
    app = create_app(api_settings(url), url, pool_size=4)
    # log_config=None as `seatflow serve` does: uvicorn must not rewire the process's loggers
    config = uvicorn.Config(
        app, host="127.0.0.1", port=_free_port(), log_level="warning", log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="ops-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
