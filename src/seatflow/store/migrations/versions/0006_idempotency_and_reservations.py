"""Idempotent creates and the per-restaurant reservation version.

- `idempotency_keys`: a client's `Idempotency-Key` on `POST …/bookings`, scoped to its restaurant,
  with a fingerprint of the body it came with and the booking it created. The key row commits in
  the same transaction as the booking, so a retry after a crash between commit and answer finds
  the booking; the same key with another body is refused. Swept after its retention.
- `restaurants.reservation_version`: bumped by every write that changes what the restaurant has
  promised (a booking accepted, modified or cancelled, a floor change). An acceptance plans on a
  snapshot without holding a connection, then commits only if the version it read is still the
  current one: creates for one restaurant are decided as if one at a time, so they cannot oversell.
"""

from alembic import op

revision = "0006"
down_revision = "0005"

SCHEMA = r"""
CREATE TABLE idempotency_keys (
    restaurant_id  uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
    key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint    text NOT NULL,
    booking_id     uuid NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (restaurant_id, key),
    FOREIGN KEY (restaurant_id, booking_id) REFERENCES bookings (restaurant_id, id)
        ON DELETE CASCADE
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

ALTER TABLE restaurants ADD COLUMN reservation_version bigint NOT NULL DEFAULT 0;
"""

DOWNGRADE = r"""
ALTER TABLE restaurants DROP COLUMN reservation_version;
DROP TABLE idempotency_keys;
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute(DOWNGRADE)
