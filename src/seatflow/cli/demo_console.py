"""How `seatflow demo` ends: a key for the demo's restaurant, and the commands that open the ops
console on the demo's evening and draw it in the terminal.

The demo's database outlives it (`cli/sandbox.demo_database`), so both commands work until the
next demo: they name it by `DATABASE_URL=…` in front of the command, the way every seatflow
command is pointed at a database, quoted for a POSIX shell (the embedded server's URL carries
its socket directory in a query string).
"""

from __future__ import annotations

import shlex
import sys
from datetime import date
from pathlib import Path

from rich.console import Console

from seatflow.store.api_keys import generate_key, insert_key
from seatflow.store.database import connect
from seatflow.store.floors import load_floor

__all__ = ["demo_key", "print_console_commands"]

#: Where `seatflow serve` listens by default, and the console's path under it.
CONSOLE_URL = "http://127.0.0.1:8000/ops"


def timeline_url(slug: str, day: date) -> str:
    """The console's timeline of that evening: signing in there comes back to it."""
    return f"{CONSOLE_URL}/r/{slug}/timeline?date={day.isoformat()}"


async def demo_key(url: str, slug: str) -> str:
    """A new API key for the demo's restaurant (stored hashed, like every key)."""
    key = generate_key()
    async with connect(url) as conn, conn.transaction():
        floor = await load_floor(conn, slug)
        await insert_key(conn, key, restaurant_id=floor.restaurant_id)
    return key.token


def print_console_commands(
    console: Console, url: str, slug: str, day: date, key: str, program: str | None = None
) -> None:
    """The demo's last lines: open the console, sign in with `key`; draw the evening."""
    prefix = f"DATABASE_URL={shlex.quote(url)}"
    run = program or _program()
    console.rule("the demo's evening stays in its database until the next demo")
    console.print("Open the ops console on it (then browse to the address below):")
    _line(console, f"{prefix} {run} serve")
    address = timeline_url(slug, day)
    _line(console, f"  {address}   sign in with the key of restaurant {slug}: {key}")
    console.print("Or draw it here:")
    _line(console, f"{prefix} {run} timeline --restaurant {slug} --date {day.isoformat()}")


def _line(console: Console, text: str) -> None:
    """One line as typed: never wrapped, cropped or highlighted, so it copies and pastes."""
    console.print(text, soft_wrap=True, highlight=False, markup=False)


def _program() -> str:
    """How the user ran seatflow (`.venv/bin/seatflow` under `make demo`), else `seatflow`."""
    invoked = Path(sys.argv[0])
    return str(invoked) if invoked.name == "seatflow" else "seatflow"
