"""API keys: one row per key, holding only a SHA-256 of its secret; a restaurant key or an admin
key, never both, and revocable without deleting the audit trail."""

from alembic import op

revision = "0002"
down_revision = "0001"

SCHEMA = r"""
CREATE TABLE api_keys (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    prefix         text NOT NULL UNIQUE CHECK (prefix ~ '^[a-z0-9]{8,32}$'),
    key_hash       text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    restaurant_id  uuid REFERENCES restaurants (id) ON DELETE CASCADE,
    is_admin       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    -- An admin key belongs to no restaurant; every other key belongs to exactly one.
    CHECK (is_admin = (restaurant_id IS NULL))
);
CREATE INDEX api_keys_restaurant ON api_keys (restaurant_id) WHERE restaurant_id IS NOT NULL;
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute("DROP TABLE api_keys")
