"""Webhooks: endpoints, their deliveries, a stable event id on every outbox row, and moves
announced in the outbox.

- `outbox.event_id`: the id a receiver de-duplicates on, fixed when the change is written, so a
  retry, a redelivery after a crash and a replay all carry the same one.
- Rows already in the outbox are marked published: an endpoint made after this migration never
  receives the history that came before it.
- `webhook_endpoints`: a restaurant's (or, with `restaurant_id` NULL, every restaurant's) receiver.
  The secret is stored as given, not hashed: the server signs every delivery with it (HMAC), so
  it must be able to read it — as Stripe's are. The API shows it once, at creation.
- `webhook_deliveries`: one event for one endpoint — its exact body, its attempts, its lease (a
  worker delivering it holds `leased_until`; a killed worker's lease runs out and another
  delivers it again), and its outcome.
- The moves trigger of 0007 also writes a `booking.moved` outbox row for each move it records.
"""

from alembic import op

revision = "0008"
down_revision = "0007"

SCHEMA = r"""
ALTER TABLE outbox ADD COLUMN event_id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE outbox ADD CONSTRAINT outbox_event_id UNIQUE (event_id);
UPDATE outbox SET published_at = now() WHERE published_at IS NULL;

CREATE TABLE webhook_endpoints (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    restaurant_id    uuid REFERENCES restaurants (id) ON DELETE CASCADE,
    url              text NOT NULL CHECK (url ~ '^https?://'),
    event_types      text[] NOT NULL CHECK (cardinality(event_types) > 0),
    description      text,
    secret           text NOT NULL CHECK (length(secret) >= 32),
    enabled          boolean NOT NULL DEFAULT true,
    failing_since    timestamptz,
    last_success_at  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_restaurant ON webhook_endpoints (restaurant_id);

CREATE TABLE webhook_deliveries (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id       uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    outbox_id         bigint NOT NULL,
    event_id          uuid NOT NULL,
    event_type        text NOT NULL,
    booking_id        uuid,
    body              text NOT NULL,
    event_at          timestamptz NOT NULL,
    status            text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    leased_until      timestamptz,
    first_attempt_at  timestamptz,
    last_attempt_at   timestamptz,
    last_status_code  integer,
    last_error        text,
    latency_ms        double precision,
    delivered_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (endpoint_id, event_id)
);
-- What is due, and the head of each (endpoint, booking) queue: a booking's events go in order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (endpoint_id, booking_id, outbox_id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, event_at DESC, id DESC);

CREATE OR REPLACE FUNCTION seatflow_record_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH touched AS (SELECT DISTINCT booking_id FROM new_rows),
    live AS (
        SELECT t.booking_id,
               coalesce((SELECT array_agg(tb.key ORDER BY tb.key)
                         FROM allocations a JOIN tables tb ON tb.id = a.table_id
                         WHERE a.booking_id = t.booking_id AND a.released_at IS NULL),
                        '{}') AS tables
        FROM touched t
    ),
    prior AS (
        SELECT b.id, b.restaurant_id, b.confirmed_tables AS before, live.tables
        FROM bookings b JOIN live ON live.booking_id = b.id
        WHERE cardinality(live.tables) > 0 AND b.confirmed_tables IS DISTINCT FROM live.tables
    ),
    changed AS (
        UPDATE bookings b SET confirmed_tables = prior.tables
        FROM prior WHERE b.id = prior.id
        RETURNING prior.id, prior.restaurant_id, prior.before, prior.tables
    ),
    moved AS (
        INSERT INTO booking_moves (restaurant_id, booking_id, from_tables, to_tables, actor,
                                   reason, moved_at)
        SELECT restaurant_id, id, before, tables,
               nullif(current_setting('seatflow.actor', true), ''),
               nullif(current_setting('seatflow.reason', true), ''), seatflow_now()
        FROM changed WHERE before IS NOT NULL AND cardinality(before) > 0
        RETURNING booking_id, restaurant_id, from_tables, to_tables, actor, reason
    )
    INSERT INTO outbox (topic, aggregate_id, payload)
    SELECT 'booking.moved', booking_id,
           jsonb_build_object('booking_id', booking_id, 'restaurant_id', restaurant_id,
                              'from_tables', from_tables, 'to_tables', to_tables,
                              'actor', actor, 'reason', reason)
    FROM moved;
    RETURN NULL;
END $$;
"""

DOWNGRADE = r"""
CREATE OR REPLACE FUNCTION seatflow_record_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH touched AS (SELECT DISTINCT booking_id FROM new_rows),
    live AS (
        SELECT t.booking_id,
               coalesce((SELECT array_agg(tb.key ORDER BY tb.key)
                         FROM allocations a JOIN tables tb ON tb.id = a.table_id
                         WHERE a.booking_id = t.booking_id AND a.released_at IS NULL),
                        '{}') AS tables
        FROM touched t
    ),
    prior AS (
        SELECT b.id, b.restaurant_id, b.confirmed_tables AS before, live.tables
        FROM bookings b JOIN live ON live.booking_id = b.id
        WHERE cardinality(live.tables) > 0 AND b.confirmed_tables IS DISTINCT FROM live.tables
    ),
    changed AS (
        UPDATE bookings b SET confirmed_tables = prior.tables
        FROM prior WHERE b.id = prior.id
        RETURNING prior.id, prior.restaurant_id, prior.before, prior.tables
    )
    INSERT INTO booking_moves (restaurant_id, booking_id, from_tables, to_tables, actor, reason,
                               moved_at)
    SELECT restaurant_id, id, before, tables,
           nullif(current_setting('seatflow.actor', true), ''),
           nullif(current_setting('seatflow.reason', true), ''), seatflow_now()
    FROM changed WHERE before IS NOT NULL AND cardinality(before) > 0;
    RETURN NULL;
END $$;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
ALTER TABLE outbox DROP CONSTRAINT outbox_event_id, DROP COLUMN event_id;
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute(DOWNGRADE)
