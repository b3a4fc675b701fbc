"""Clients of a cluster: bookings posted round-robin over several API processes, each retried
with the same `Idempotency-Key` — on another process — when a process is away (connection
refused or reset, 503), the way a load balancer's client would."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx

#: Tries per booking before a client gives up (it never should), and the pause between them.
TRIES = 60
RETRY_PAUSE = 0.2


@dataclass
class Ledger:
    """What the clients were told: every booking answered 2xx, refusals, and each failure."""

    accepted: dict[str, str] = field(default_factory=dict)  # Idempotency-Key → booking id
    refused: int = 0
    #: Answers and transport errors, by API base: "201", "409", "503", "ConnectError", …
    seen: Counter[tuple[str, str]] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)

    def failures_at(self, base: str) -> int:
        """Requests to `base` that got no answer or a 503: the process was away."""
        return sum(
            n
            for (at, what), n in self.seen.items()
            if at == base and what[0] != "2" and what != "409"
        )


@dataclass(frozen=True)
class Restaurant:
    slug: str
    token: str


def booking_body(n: int) -> dict[str, Any]:
    """The n-th request: parties of 2–5 spread over ten evenings and six start times."""
    day = datetime.now(UTC).replace(hour=18, minute=0, second=0, microsecond=0)
    start = day + timedelta(days=2 + n % 10, minutes=30 * (n // 10 % 6))
    return {"party_size": 2 + n % 4, "start_at": start.isoformat()}


async def feed(
    bases: list[str],
    restaurants: list[Restaurant],
    ledger: Ledger,
    stop: asyncio.Event,
    *,
    client: int,
    clients: int,
    pause: float = 0.1,
) -> None:
    """Post bookings until `stop`: booking n goes to API n mod len(bases) and restaurant
    n // len(bases) mod len(restaurants), so every API serves every restaurant."""
    async with httpx.AsyncClient(timeout=20) as http:
        n = client
        while not stop.is_set():
            place = restaurants[n // len(bases) % len(restaurants)]
            await _post(http, bases, n, place, booking_body(n), ledger)
            n += clients
            await asyncio.sleep(pause)


async def _post(
    http: httpx.AsyncClient,
    bases: list[str],
    n: int,
    place: Restaurant,
    body: dict[str, Any],
    ledger: Ledger,
) -> None:
    key = str(uuid4())
    headers = {"Authorization": f"Bearer {place.token}", "Idempotency-Key": key}
    for attempt in range(TRIES):
        base = bases[(n + attempt) % len(bases)]  # a retry goes to the next process
        try:
            response = await http.post(
                f"{base}/v1/restaurants/{place.slug}/bookings", json=body, headers=headers
            )
        except httpx.TransportError as exc:
            ledger.seen[base, type(exc).__name__] += 1
            await asyncio.sleep(RETRY_PAUSE)
            continue
        ledger.seen[base, str(response.status_code)] += 1
        if response.status_code in (429, 503):
            await asyncio.sleep(RETRY_PAUSE)
            continue
        if response.is_success:
            ledger.accepted[key] = str(response.json()["id"])
        elif response.status_code == 409:
            ledger.refused += 1
        else:
            ledger.unexpected.append(f"{response.status_code} {response.text[:200]}")
        return
    ledger.gave_up.append(key)
