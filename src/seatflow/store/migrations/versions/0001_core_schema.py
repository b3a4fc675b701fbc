"""Core schema: floors, bookings, allocations with the exclusion constraint, holds, history,
outbox and observability events."""

from alembic import op

revision = "0001"
down_revision = None

SCHEMA = r"""
CREATE TABLE restaurants (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                    text NOT NULL UNIQUE CHECK (slug ~ '^[A-Za-z0-9][A-Za-z0-9_-]*$'),
    name                    text NOT NULL,
    timezone                text NOT NULL DEFAULT 'UTC',
    turn_minutes            jsonb NOT NULL CHECK (jsonb_typeof(turn_minutes) = 'array'),
    buffer_minutes          integer NOT NULL DEFAULT 15 CHECK (buffer_minutes >= 0),
    max_tables_per_booking  integer NOT NULL DEFAULT 3 CHECK (max_tables_per_booking BETWEEN 1 AND 8),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE zones (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    restaurant_id  uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
    key            text NOT NULL CHECK (key <> ''),
    name           text NOT NULL,
    UNIQUE (restaurant_id, key),
    UNIQUE (restaurant_id, id)
);

CREATE TABLE tables (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    restaurant_id  uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
    zone_id        bigint NOT NULL,
    key            text NOT NULL CHECK (key <> ''),
    capacity       integer NOT NULL CHECK (capacity >= 1),
    min_party      integer NOT NULL DEFAULT 1 CHECK (min_party >= 1),
    combinable     boolean NOT NULL DEFAULT true,
    active         boolean NOT NULL DEFAULT true,
    CHECK (min_party <= capacity),
    UNIQUE (restaurant_id, key),
    UNIQUE (restaurant_id, id),
    FOREIGN KEY (restaurant_id, zone_id) REFERENCES zones (restaurant_id, id)
);

-- Undirected adjacency stored once per pair (smaller id first); both ends in the restaurant.
CREATE TABLE table_adjacency (
    restaurant_id  uuid NOT NULL,
    table_a        bigint NOT NULL,
    table_b        bigint NOT NULL,
    PRIMARY KEY (table_a, table_b),
    CHECK (table_a < table_b),
    FOREIGN KEY (restaurant_id, table_a) REFERENCES tables (restaurant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (restaurant_id, table_b) REFERENCES tables (restaurant_id, id) ON DELETE CASCADE
);

CREATE TABLE bookings (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    restaurant_id             uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
    ref                       text,
    party_size                integer NOT NULL CHECK (party_size >= 1),
    start_at                  timestamptz NOT NULL,
    end_at                    timestamptz NOT NULL,
    duration_minutes          integer CHECK (duration_minutes >= 1),
    zone_preference           text,
    status                    text NOT NULL DEFAULT 'pending' CHECK (status IN
                                ('pending', 'confirmed', 'cancelled', 'seated', 'completed', 'no_show')),
    assignment_state          text NOT NULL DEFAULT 'created' CHECK (assignment_state IN
                                ('created', 'capacity_verified', 'assignment_pending',
                                 'assignment_in_progress', 'assigned', 'confirmed',
                                 'manual_review', 'failed')),
    assignment_state_version  integer NOT NULL DEFAULT 0,
    assignment_strategy       text,
    review_reason             text,
    guest_name                text,
    guest_phone               text,
    guest_email               text,
    requested_at              timestamptz NOT NULL DEFAULT now(),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CHECK (end_at > start_at),
    UNIQUE (restaurant_id, id)
);
CREATE UNIQUE INDEX bookings_ref ON bookings (restaurant_id, ref) WHERE ref IS NOT NULL;
CREATE INDEX bookings_service ON bookings (restaurant_id, start_at);
CREATE INDEX bookings_assignment_state ON bookings (assignment_state, updated_at);

-- A live allocation (released_at IS NULL) gives one table to one booking for [start, end+buffer).
-- The exclusion constraint makes two overlapping live allocations of one table impossible.
-- int8range over the table id stands in for btree_gist's equality, which pgserver lacks.
CREATE TABLE allocations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    restaurant_id  uuid NOT NULL,
    booking_id     uuid NOT NULL,
    table_id       bigint NOT NULL,
    during         tstzrange NOT NULL CHECK (NOT isempty(during)),
    created_at     timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    FOREIGN KEY (restaurant_id, booking_id) REFERENCES bookings (restaurant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (restaurant_id, table_id) REFERENCES tables (restaurant_id, id),
    CONSTRAINT allocations_no_overlap EXCLUDE USING gist (
        int8range(table_id, table_id, '[]') WITH &&, during WITH &&
    ) WHERE (released_at IS NULL)
);
CREATE INDEX allocations_booking ON allocations (booking_id) WHERE released_at IS NULL;

-- A hold is a short lease on tables for one booking; expired holds are ignored and swept.
CREATE TABLE table_holds (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    restaurant_id  uuid NOT NULL,
    booking_id     uuid NOT NULL,
    during         tstzrange NOT NULL CHECK (NOT isempty(during)),
    expires_at     timestamptz NOT NULL,
    confirmed_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (restaurant_id, booking_id) REFERENCES bookings (restaurant_id, id) ON DELETE CASCADE
);
CREATE INDEX table_holds_expiry ON table_holds (expires_at);
CREATE INDEX table_holds_booking ON table_holds (booking_id);

CREATE TABLE table_hold_members (
    hold_id        uuid NOT NULL REFERENCES table_holds (id) ON DELETE CASCADE,
    restaurant_id  uuid NOT NULL,
    table_id       bigint NOT NULL,
    PRIMARY KEY (hold_id, table_id),
    FOREIGN KEY (restaurant_id, table_id) REFERENCES tables (restaurant_id, id)
);
CREATE INDEX table_hold_members_table ON table_hold_members (table_id);

CREATE TABLE booking_assignment_attempts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id     uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    restaurant_id  uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
    pipeline       text NOT NULL CHECK (pipeline IN ('legacy', 'v3', 'manual')),
    trigger        text NOT NULL,
    attempt_no     integer NOT NULL CHECK (attempt_no >= 1),
    outcome        text NOT NULL,
    reason         text,
    strategy       text,
    score          double precision,
    tables         text[] NOT NULL DEFAULT '{}',
    duration_ms    double precision,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_assignment_attempts_booking ON booking_assignment_attempts (booking_id, id);

CREATE TABLE booking_assignment_state_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id  uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    from_state  text NOT NULL,
    to_state    text NOT NULL,
    version     integer NOT NULL,
    reason      text,
    actor       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (booking_id, version)
);

CREATE TABLE outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic         text NOT NULL,
    aggregate_id  uuid,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE observability_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at     timestamptz NOT NULL DEFAULT now(),
    source         text NOT NULL,
    event_type     text NOT NULL,
    severity       text NOT NULL DEFAULT 'info'
                     CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    booking_id     uuid,
    restaurant_id  uuid,
    context        jsonb NOT NULL DEFAULT '{}'::jsonb
);
-- "events of source S since T grouped by type" and "events of booking B".
CREATE INDEX observability_events_source_time ON observability_events (source, created_at, event_type);
CREATE INDEX observability_events_booking ON observability_events (booking_id, created_at)
    WHERE booking_id IS NOT NULL;
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute(
        "DROP TABLE observability_events, outbox, booking_assignment_state_history, "
        "booking_assignment_attempts, table_hold_members, table_holds, allocations, bookings, "
        "table_adjacency, tables, zones, restaurants"
    )
