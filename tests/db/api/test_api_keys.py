"""API keys in PostgreSQL: only a hash is stored, lookups check it in constant time, revoked and
malformed keys find nothing, and the schema keeps admin and restaurant keys apart."""

from __future__ import annotations

import psycopg
import pytest

from seatflow.documents import parse_restaurant
from seatflow.store.api_keys import (
    find_active_key,
    generate_key,
    hash_secret,
    insert_key,
    list_keys,
    parse_token,
    revoke_key,
)
from seatflow.store.database import Connection
from seatflow.store.floors import import_floor

FLOOR = {
    "slug": "keys-test",
    "policy": {"turn_minutes": [{"max_party": 99, "minutes": 90}]},
    "zones": [{"key": "z"}],
    "tables": [{"key": "t", "zone": "z", "capacity": 4}],
}


def test_token_format_round_trips() -> None:
    """A generated token parses back into its prefix and secret; anything else does not parse."""
    key = generate_key()
    assert key.token.startswith(f"sf_{key.prefix}_")
    assert parse_token(key.token) == (key.prefix, key.secret)
    assert key.key_hash == hash_secret(key.secret) != key.secret
    for bad in ("", "sf_", f"sk_{key.prefix}_{key.secret}", f"sf_{key.prefix}", key.secret):
        assert parse_token(bad) is None


async def test_only_the_hash_is_stored_and_it_authenticates(conn: Connection) -> None:
    """The row holds the prefix and the secret's SHA-256; the token finds its key, a wrong
    secret with the same prefix finds nothing."""
    restaurant = await import_floor(conn, parse_restaurant(FLOOR))
    key = generate_key()
    record = await insert_key(conn, key, restaurant_id=restaurant)
    assert (record.restaurant_slug, record.is_admin) == ("keys-test", False)
    row = await (await conn.execute("SELECT * FROM api_keys")).fetchone()
    assert row is not None and row["key_hash"] == hash_secret(key.secret)
    assert key.secret not in str(row)
    found = await find_active_key(conn, key.token)
    assert found is not None and found.id == record.id
    assert await find_active_key(conn, f"sf_{key.prefix}_{generate_key().secret}") is None
    assert await find_active_key(conn, "garbage") is None


async def test_revoked_keys_stop_working_and_stay_listed(conn: Connection) -> None:
    """Revoking is immediate and idempotent; the row stays, marked, for the audit trail."""
    key = generate_key()
    await insert_key(conn, key, restaurant_id=None)
    assert await revoke_key(conn, key.prefix) is True
    assert await revoke_key(conn, key.prefix) is False
    assert await find_active_key(conn, key.token) is None
    listed = await list_keys(conn)
    assert [(k.prefix, k.is_admin, k.revoked_at is not None) for k in listed] == [
        (key.prefix, True, True)
    ]


@pytest.mark.parametrize(
    ("is_admin", "with_restaurant"),
    [(True, True), (False, False)],
    ids=["admin+restaurant", "none"],
)
async def test_a_key_is_admin_or_a_restaurants_never_both(
    conn: Connection, is_admin: bool, with_restaurant: bool
) -> None:
    """The CHECK refuses an admin key tied to a restaurant and a non-admin key tied to none."""
    restaurant = await import_floor(conn, parse_restaurant(FLOOR)) if with_restaurant else None
    key = generate_key()
    with pytest.raises(psycopg.errors.CheckViolation):
        await conn.execute(
            "INSERT INTO api_keys (prefix, key_hash, restaurant_id, is_admin) "
            "VALUES (%s, %s, %s, %s)",
            (key.prefix, key.key_hash, restaurant, is_admin),
        )


async def test_a_deleted_restaurant_takes_its_keys(conn: Connection) -> None:
    """Keys belong to their restaurant: deleting it deletes them."""
    restaurant = await import_floor(conn, parse_restaurant(FLOOR))
    await insert_key(conn, generate_key(), restaurant_id=restaurant)
    await conn.execute("DELETE FROM restaurants WHERE id = %s", (restaurant,))
    assert await list_keys(conn) == []
