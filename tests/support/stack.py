"""What tests running real `seatflow serve` / `seatflow worker` processes share: a restaurant
with a key to call it, a free port on a given address, the API's readiness and the processes'
JSON log lines."""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from seatflow.documents import parse_scenario_text
from seatflow.store.api_keys import generate_key, insert_key
from seatflow.store.database import connect
from seatflow.store.floors import import_floor

__all__ = ["api_ready", "free_port", "json_lines", "seed_restaurant"]


async def seed_restaurant(url: str, scenario: Path, slug: str | None = None) -> tuple[str, str]:
    """The scenario's floor (under `slug` if given) and a key for it: (slug, token)."""
    floor = parse_scenario_text(scenario.read_text()).floor
    if slug is not None:
        floor = dataclasses.replace(floor, slug=slug, name=slug.title())
    key = generate_key()
    async with connect(url) as conn, conn.transaction():
        restaurant = await import_floor(conn, floor)
        await insert_key(conn, key, restaurant_id=restaurant)
    return floor.slug, key.token


def api_ready(base: str) -> bool:
    """`/readyz` answers 200 (the API is up and its database migrated)."""
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a log written with SEATFLOW_LOG_FORMAT=json (other lines skipped)."""
    for text in path.read_text().splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if isinstance(line, dict):
            yield line
