"""`Idempotency-Key` on `POST …/bookings`: a retried create returns the booking it made.

A client that sends a key gets one booking per key and body, however often it sends the request
and whatever happened to the answers: the key row commits in the booking's own transaction, so
once a booking exists its key does, and before that neither does. The same key with another body
is refused (422 `idempotency_key_reused`), since it is a client bug that would otherwise silently
return a booking the client did not ask for. Keys are scoped to the restaurant of the path and
kept `SEATFLOW_IDEMPOTENCY_HOURS`; an older key counts as absent.

A replay answers the booking as it stands now (201, with `Idempotent-Replayed: true`): it may
have been confirmed, modified or cancelled since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import Header

from seatflow.api import bookings
from seatflow.api.auth import Scope
from seatflow.api.errors import ApiError
from seatflow.api.schemas import BookingIn, BookingOut
from seatflow.api.state import ApiState
from seatflow.store.database import Connection
from seatflow.store.idempotency import KeyUse, RestaurantKey, claim_key, find_key

__all__ = ["HEADER", "REPLAYED_HEADER", "IdempotencyKey", "create_once", "fingerprint"]

HEADER = "Idempotency-Key"
#: Set on every keyed create: `true` when the answer is a booking an earlier request made.
REPLAYED_HEADER = "Idempotent-Replayed"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=255,
        pattern=r"^[\x20-\x7e]+$",
        description="Makes the create safe to retry: the same key with the same body returns "
        "the booking the first request made (201, `Idempotent-Replayed: true`, as the booking "
        "stands now) instead of a second booking — also when the first answer was lost. The same "
        "key with another body is 422 `idempotency_key_reused`. Keys are per restaurant and kept "
        "`SEATFLOW_IDEMPOTENCY_HOURS` (default 24); 1–255 printable ASCII characters, e.g. a "
        "UUID per booking attempt.",
    ),
]


class _Taken(Exception):
    """Another request committed this key first: this one rolls back and replays that one."""

    def __init__(self, booking_id: UUID) -> None:
        super().__init__(str(booking_id))
        self.booking_id = booking_id


@dataclass(frozen=True, slots=True, kw_only=True)
class _Keyed:
    key: RestaurantKey
    retention: timedelta

    def booking_of(self, use: KeyUse) -> UUID:
        """The booking of `use` when it came with this body; refused otherwise."""
        if use.fingerprint != self.key.fingerprint:
            hours = int(self.retention.total_seconds() // 3600)
            raise ApiError(
                422,
                "idempotency_key_reused",
                f"this key was used for a different booking request in the last {hours} hours; "
                "send a new key for a new request",
                field=HEADER,
            )
        return use.booking_id

    async def claim(self, conn: Connection, booking_id: UUID) -> None:
        """Inside the create's transaction: record the key, or roll back to replay the first."""
        earlier = await claim_key(conn, self.key, booking_id, self.retention)
        if earlier is not None:
            raise _Taken(self.booking_of(earlier))

    async def earlier(self, state: ApiState) -> UUID | None:
        async with state.pool.connection() as conn, conn.transaction():
            use = await find_key(conn, self.key, self.retention)
        return None if use is None else self.booking_of(use)


async def create_once(
    state: ApiState, scope: Scope, body: BookingIn, wait_ms: int | None, key: str
) -> tuple[BookingOut, bool]:
    """The booking for this key and body, and whether an earlier request had made it."""
    keyed = _Keyed(
        key=RestaurantKey(
            restaurant_id=scope.floor.restaurant_id,
            key=key,
            fingerprint=fingerprint(scope.floor.restaurant_id, key, body),
        ),
        retention=timedelta(hours=state.settings.idempotency_hours),
    )
    earlier = await keyed.earlier(state)
    if earlier is not None:
        return await bookings.read_booking(state, scope, earlier), True
    try:
        return await bookings.create_booking(state, scope, body, wait_ms, claim=keyed.claim), False
    except _Taken as taken:
        return await bookings.read_booking(state, scope, taken.booking_id), True
    except ApiError as refused:
        # A twin request may have taken the last room and committed first: its booking it is.
        twin = await keyed.earlier(state) if refused.status == 409 else None
        if twin is None:
            raise
        return await bookings.read_booking(state, scope, twin), True


def fingerprint(restaurant_id: UUID, key: str, body: BookingIn) -> str:
    """A SHA-256 of the normalised body, salted with the restaurant and the key.

    Normalised: the start as a UTC instant, an empty guest as none, keys sorted — two bodies
    that ask for the same booking match. Guest details are never stored in clear here, and the
    salt keeps equal bodies under different keys from hashing alike.
    """
    guest = body.guest.model_dump() if body.guest is not None else None
    normal = {
        "party_size": body.party_size,
        "start_at": body.start_at.astimezone(UTC).isoformat(),
        "zone_preference": body.zone_preference,
        "guest": guest if guest and any(v is not None for v in guest.values()) else None,
    }
    text = json.dumps([str(restaurant_id), key, normal], sort_keys=True, separators=(",", ":"))
    return "v1:" + hashlib.sha256(text.encode()).hexdigest()
