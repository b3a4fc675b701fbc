"""Bearer API keys, and which restaurant a request may touch.

A missing, malformed, unknown or revoked key is 401. A restaurant key sees only its restaurant:
another restaurant, or a booking of another restaurant, is 404 with the very body a missing one
gets, so a key cannot even learn what exists elsewhere. Admin keys see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg import AsyncCursor

from seatflow.api.errors import ApiError
from seatflow.api.state import ApiState, api_state
from seatflow.errors import NotFound
from seatflow.store.api_keys import ApiKeyRecord, find_active_key, send_key_lookup
from seatflow.store.bookings import BookingRecord, get_booking
from seatflow.store.database import Connection, lone_statements
from seatflow.store.floors import StoredFloor, send_slug_lookup

__all__ = [
    "Admin",
    "Authenticated",
    "Principal",
    "RestaurantScope",
    "Scope",
    "Stateful",
    "booking_not_found",
    "owned_booking",
    "restaurant_not_found",
]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key `sf_<prefix>_<secret>`, made with `seatflow keys create`.",
)

Stateful = Annotated[ApiState, Depends(api_state)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    key_prefix: str
    restaurant_id: UUID | None
    is_admin: bool

    def may_access(self, restaurant_id: UUID) -> bool:
        return self.is_admin or self.restaurant_id == restaurant_id

    @property
    def actor(self) -> str:
        """How this key shows in the state history: the prefix, never the secret."""
        return f"api:{self.key_prefix}"


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def authenticate(state: Stateful, credentials: Credentials) -> Principal:
    token = _token(credentials)
    async with state.pool.connection() as conn, lone_statements(conn):
        key = await find_active_key(conn, token)
    return _principal(key)


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise _unauthorized("send an API key: Authorization: Bearer sf_<prefix>_<secret>")
    return credentials.credentials


def _principal(key: ApiKeyRecord | None) -> Principal:
    if key is None:
        raise _unauthorized("unknown or revoked API key")
    return Principal(key_prefix=key.prefix, restaurant_id=key.restaurant_id, is_admin=key.is_admin)


Authenticated = Annotated[Principal, Depends(authenticate)]


async def require_admin(principal: Authenticated) -> Principal:
    if not principal.is_admin:
        raise ApiError(403, "forbidden", "this endpoint needs an admin key", field="Authorization")
    return principal


Admin = Annotated[Principal, Depends(require_admin)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """The caller and the restaurant of the path, once access was checked."""

    principal: Principal
    floor: StoredFloor

    @property
    def slug(self) -> str:
        return self.floor.plan.slug


async def restaurant_scope(slug: str, state: Stateful, credentials: Credentials) -> Scope:
    """The caller's key and the path's restaurant, read together: one round trip for both (a
    floor not cached yet is loaded after). An unknown key is 401 whatever the slug."""
    token = _token(credentials)
    async with state.pool.connection() as conn, lone_statements(conn):
        async with conn.pipeline():
            key_sent = await send_key_lookup(conn, token)
            floor_sent = await _send_floor(conn, slug)
        principal = _principal(await key_sent.key())
        floor = await _floor_of(state, conn, floor_sent, slug)
    return _scoped(slug, principal, floor)


async def scope_of(slug: str, principal: Principal, state: ApiState) -> Scope:
    """`restaurant_scope` for a caller already authenticated."""
    return _scoped(slug, principal, await find_floor(state, slug))


def _scoped(slug: str, principal: Principal, floor: StoredFloor | None) -> Scope:
    """404 — the same for a restaurant that is not there and one the key may not see."""
    if floor is None or not principal.may_access(floor.restaurant_id):
        raise restaurant_not_found(slug)
    return Scope(principal=principal, floor=floor)


async def _send_floor(conn: Connection, slug: str) -> AsyncCursor[dict[str, Any]] | None:
    """The restaurant row's read, sent; None for a slug PostgreSQL cannot even be asked about
    (no such restaurant exists)."""
    return None if "\x00" in slug else await send_slug_lookup(conn, slug)


async def _floor_of(
    state: ApiState, conn: Connection, sent: AsyncCursor[dict[str, Any]] | None, slug: str
) -> StoredFloor | None:
    """The floor a `_send_floor` read found (loaded if not cached), or None."""
    if sent is None:
        return None
    try:
        return await state.floors.of_sent(conn, sent, slug)
    except NotFound:
        return None


RestaurantScope = Annotated[Scope, Depends(restaurant_scope)]


async def find_floor(state: ApiState, slug: str) -> StoredFloor | None:
    # Plain reads at READ COMMITTED see a snapshot each, in a transaction or not: without one, a
    # cached floor costs one round trip instead of three (BEGIN, the row, ROLLBACK).
    async with state.pool.connection() as conn, lone_statements(conn):
        return await _floor_of(state, conn, await _send_floor(conn, slug), slug)


async def owned_booking(
    conn: Connection, scope: Scope, booking_id: UUID, *, for_update: bool = False
) -> BookingRecord:
    """The booking when it belongs to the path's restaurant; 404 otherwise, as if it were absent."""
    booking = await get_booking(conn, booking_id, for_update=for_update)
    if booking is None or booking.restaurant_id != scope.floor.restaurant_id:
        raise booking_not_found(booking_id)
    return booking


def restaurant_not_found(slug: str) -> ApiError:
    return ApiError(404, "not_found", f"no restaurant {slug!r}", field="slug")


def booking_not_found(booking_id: UUID) -> ApiError:
    return ApiError(404, "not_found", f"no booking {booking_id}", field="booking_id")


def _unauthorized(detail: str) -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        detail,
        field="Authorization",
        headers={"WWW-Authenticate": "Bearer"},
    )
