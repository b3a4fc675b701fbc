"""Webhooks, the pure part: which outbox change is which event, the body a receiver gets, the
signature over it, the retry schedule, and which addresses a receiver may not sit on.

A body carries what a booking platform needs to follow its booking — id, restaurant, status,
tables, reason, trigger — and never the guest's name, phone or e-mail. The signature is
Stripe's scheme: `Seatflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

__all__ = [
    "EVENT_TYPES",
    "SIGNATURE_HEADER",
    "OutboxChange",
    "RetrySchedule",
    "event_body",
    "event_type_of",
    "first_refused",
    "generate_secret",
    "refused_address",
    "sign",
    "signature_header",
    "trigger_of",
    "verify_signature",
]

#: Every event type an endpoint may ask for, and what it means.
EVENT_TYPES: Mapping[str, str] = {
    "booking.confirmed": "the booking has tables (assigned, or confirmed by staff)",
    "booking.review_required": "no automatic assignment: the booking waits for staff",
    "booking.failed": "the booking could not be assigned",
    "booking.cancelled": "the booking was cancelled; its tables are free",
    "booking.moved": "the booking's tables changed (a re-pack, an overstay, staff)",
    "booking.seated": "the guests arrived and sit at their tables",
    "booking.completed": "the guests left",
    "booking.no_show": "the guests did not come; the tables are free",
    "booking.reinstated": "a no-show was taken back: the booking is confirmed again",
}
SIGNATURE_HEADER = "Seatflow-Signature"
_STATE_EVENTS = {
    "confirmed": "booking.confirmed",
    "manual_review": "booking.review_required",
    "failed": "booking.failed",
    "cancelled": "booking.cancelled",
}
_STATUS_EVENTS = {
    "seated": "booking.seated",
    "completed": "booking.completed",
    "no_show": "booking.no_show",
    "confirmed": "booking.reinstated",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxChange:
    """One outbox row with the booking as the relay read it (tables, status, slug)."""

    event_id: UUID
    topic: str
    payload: Mapping[str, Any]
    created_at: datetime
    booking_id: UUID | None
    restaurant_slug: str | None
    ref: str | None
    status: str | None
    party_size: int | None
    start_at: datetime | None
    tables: tuple[str, ...]
    trigger: str | None


def event_type_of(topic: str, payload: Mapping[str, Any]) -> str | None:
    """The event type of an outbox row; None for internal steps no receiver is told about
    (`created` → `capacity_verified` → … are the pipeline's own business)."""
    if topic == "booking.assignment_state_changed":
        return _STATE_EVENTS.get(str(payload.get("to")))
    if topic == "booking.status_changed":
        return _STATUS_EVENTS.get(str(payload.get("status")))
    if topic == "booking.moved":
        return "booking.moved"
    return None


def trigger_of(actor: str | None) -> str | None:
    """What set a change going, from who made it: a pipeline's `v3:creation` → `creation`, a
    sweep's `sweep:overstay` → `overstay`, any API key's `api:<prefix>` → `api` (which key is
    none of a receiver's business), anything else as it is."""
    if not actor:
        return None
    kind, _, detail = actor.partition(":")
    if kind == "api":
        return "api"
    return detail or kind


def event_body(change: OutboxChange, event_type: str) -> str:
    """The JSON a receiver gets, as exact text (retries and replays send the same bytes)."""
    payload = change.payload
    data: dict[str, Any] = {
        "booking_id": str(change.booking_id) if change.booking_id else None,
        "restaurant": change.restaurant_slug,
        "ref": change.ref,
        "status": change.status,
        "party_size": change.party_size,
        "start_at": change.start_at.isoformat() if change.start_at else None,
        "tables": list(change.tables),
        "reason": payload.get("reason"),
        "trigger": change.trigger,
    }
    if event_type == "booking.moved":
        data["from_tables"] = list(payload.get("from_tables") or [])
        data["tables"] = list(payload.get("to_tables") or change.tables)
    body = {
        "id": str(change.event_id),
        "type": event_type,
        "created_at": change.created_at.isoformat(),
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def generate_secret() -> str:
    """A signing secret: `whsec_` and 256 random bits."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: str) -> str:
    """Hex HMAC-SHA256 of `"{timestamp}.{body}"` under the secret."""
    message = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: str) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: str, *, now: int, tolerance: int = 300
) -> bool:
    """What a receiver does: a v1 signature matches and the timestamp is recent (replay guard)."""
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for key, value in fields if key.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(
        key.strip() == "v1" and hmac.compare_digest(value.strip(), expected)
        for key, value in fields
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RetrySchedule:
    """Capped exponential backoff with jitter, for at most `window` after the first attempt.

    The n-th failure waits a random time in [d/2, d] with d = min(cap, base · 2^(n-1)) ("equal
    jitter": never a burst of retries at once, never much earlier than planned).
    """

    base: timedelta
    cap: timedelta
    window: timedelta

    def delay(self, failures: int, rng: random.Random) -> timedelta:
        exponent = min(max(failures, 1) - 1, 40)
        ceiling: timedelta = min(self.cap, self.base * (2**exponent))
        half = ceiling / 2
        return half + half * rng.random()

    def next_attempt(
        self, failures: int, first_attempt: datetime, now: datetime, rng: random.Random
    ) -> datetime | None:
        """When to try again after `failures` failed attempts; None once past the window."""
        at = now + self.delay(failures, rng)
        return None if at > first_attempt + self.window else at


def refused_address(address: str) -> str | None:
    """Why a receiver may not sit on this IP address (server-side request forgery), else None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_private, "a private address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    for refused, why in checks:
        if refused:
            return f"{ip} is {why}"
    return None


def first_refused(addresses: Iterable[str]) -> str | None:
    """The first reason among every address a host resolves to (one bad address refuses all)."""
    for address in addresses:
        reason = refused_address(address)
        if reason is not None:
            return reason
    return None
