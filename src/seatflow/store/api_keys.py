"""API keys: the `sf_<prefix>_<secret>` format, and their rows in PostgreSQL.

A key is shown once, when it is made. The database keeps only its public prefix (to find the row)
and a SHA-256 of the secret (to check it), so a leaked table or backup grants no access. The
secret has 256 bits of entropy, which is why a fast hash is enough here (no password stretching).
Functions take a connection and never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncCursor

from seatflow.store.database import Connection
from seatflow.store.queries import query

__all__ = [
    "ApiKeyRecord",
    "GeneratedKey",
    "PendingKey",
    "find_active_key",
    "find_active_prefix",
    "generate_key",
    "hash_secret",
    "insert_key",
    "list_keys",
    "parse_token",
    "revoke_key",
    "send_key_lookup",
]

_TOKEN = re.compile(r"sf_([a-z0-9]{8,32})_([A-Za-z0-9_-]{16,128})")


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneratedKey:
    """A fresh key: `token` is what the caller shows once; only prefix and hash are stored."""

    prefix: str
    secret: str

    @property
    def token(self) -> str:
        return f"sf_{self.prefix}_{self.secret}"

    @property
    def key_hash(self) -> str:
        return hash_secret(self.secret)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKeyRecord:
    id: UUID
    prefix: str
    restaurant_id: UUID | None
    restaurant_slug: str | None
    is_admin: bool
    created_at: datetime
    revoked_at: datetime | None


def generate_key() -> GeneratedKey:
    """A random prefix (hex, so it never contains the `_` separator) and a url-safe secret."""
    return GeneratedKey(prefix=secrets.token_hex(6), secret=secrets.token_urlsafe(32))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_token(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed token, else None."""
    match = _TOKEN.fullmatch(token)
    return None if match is None else (match.group(1), match.group(2))


def _record(row: dict[str, Any]) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row["id"],
        prefix=row["prefix"],
        restaurant_id=row["restaurant_id"],
        restaurant_slug=row["restaurant_slug"],
        is_admin=row["is_admin"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


async def insert_key(
    conn: Connection, key: GeneratedKey, *, restaurant_id: UUID | None
) -> ApiKeyRecord:
    """Store a key: an admin key when `restaurant_id` is None, else that restaurant's key."""
    params = {
        "prefix": key.prefix,
        "key_hash": key.key_hash,
        "restaurant_id": restaurant_id,
        "is_admin": restaurant_id is None,
    }
    row = await (await conn.execute(query("insert_api_key"), params)).fetchone()
    assert row is not None
    return _record(row)


async def find_active_key(conn: Connection, token: str) -> ApiKeyRecord | None:
    """The unrevoked key this token proves, or None (malformed, unknown, revoked or wrong secret).

    The hash comparison is constant-time, so response timing says nothing about the secret.
    """
    return await (await send_key_lookup(conn, token)).key()


async def send_key_lookup(conn: Connection, token: str) -> PendingKey:
    """`find_active_key`'s read, sent: in pipeline mode it travels with what else is sent."""
    parsed = parse_token(token)
    if parsed is None:
        return PendingKey(cursor=None, secret="")
    prefix, secret = parsed
    cursor = await conn.execute(query("api_key_by_prefix"), {"prefix": prefix})
    return PendingKey(cursor=cursor, secret=secret)


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingKey:
    """A key lookup already sent (none for a malformed token); `key()` reads and checks it."""

    cursor: AsyncCursor[dict[str, Any]] | None
    secret: str

    async def key(self) -> ApiKeyRecord | None:
        if self.cursor is None:
            return None
        row = await self.cursor.fetchone()
        if row is None or not hmac.compare_digest(row["key_hash"], hash_secret(self.secret)):
            return None
        return _record(row)


async def find_active_prefix(conn: Connection, prefix: str) -> ApiKeyRecord | None:
    """The unrevoked key with this prefix: a console session, signed in with the whole key once,
    ends when the key is revoked."""
    row = await (await conn.execute(query("api_key_by_prefix"), {"prefix": prefix})).fetchone()
    return None if row is None else _record(row)


async def revoke_key(conn: Connection, prefix: str) -> bool:
    """Revoke the key with this prefix; False when there is no such live key."""
    row = await (await conn.execute(query("revoke_api_key"), {"prefix": prefix})).fetchone()
    return row is not None


async def list_keys(conn: Connection) -> list[ApiKeyRecord]:
    return [_record(row) for row in await (await conn.execute(query("list_api_keys"))).fetchall()]
