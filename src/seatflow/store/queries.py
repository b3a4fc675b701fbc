"""Named SQL blocks loaded once from the `.sql` files beside this module.

Each block starts with a line `-- name --` followed by a comment saying what it does.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_HEADER = re.compile(r"^-- ([a-z_][a-z0-9_]*) --$", re.MULTILINE)


@cache
def queries() -> dict[str, str]:
    result: dict[str, str] = {}
    for entry in resources.files("seatflow.store.sql").iterdir():
        if entry.name.endswith(".sql"):
            result.update(parse_blocks(entry.read_text()))
    return result


def parse_blocks(text: str) -> dict[str, str]:
    parts = _HEADER.split(text)
    blocks: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in blocks:
            raise ValueError(f"duplicate SQL block {name!r}")
        blocks[name] = body.strip()
    return blocks


def query(name: str) -> str:
    return queries()[name]
