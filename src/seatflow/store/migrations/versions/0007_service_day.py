"""The service day: service rules, the live floor (seated, departed, no-show), moves and blocks.

- `restaurants.no_show_grace_minutes`, `overstay_step_minutes`; `service_periods` (weekdays,
  first and last seating in the restaurant's time zone, an optional turn table and pacing) and
  `closures` by date. A restaurant without periods seats at any time (what v1 floors had).
- `bookings.source` (online, phone, walk_in: walk-ins do not count against pacing),
  `seated_at` / `left_at` (the live service), `pinned` (staff placed it: re-packing never moves it)
  and `confirmed_tables`, the table set it was last given.
- `booking_moves`: every change of a placed booking's table set, written by a trigger on
  `allocations` so that no path can move a booking unrecorded. Who and why come from the
  transaction's `seatflow.actor` / `seatflow.reason` settings (`store.moves.attribute`).
- `table_blocks`: a table out of use over a window. A trigger refuses any new allocation that
  overlaps a live block (SF002), so nothing is booked onto a broken table whatever path writes.
"""

from alembic import op

revision = "0007"
down_revision = "0006"

SCHEMA = r"""
ALTER TABLE restaurants
    ADD COLUMN no_show_grace_minutes integer NOT NULL DEFAULT 15
        CHECK (no_show_grace_minutes BETWEEN 0 AND 1440),
    ADD COLUMN overstay_step_minutes integer NOT NULL DEFAULT 15
        CHECK (overstay_step_minutes BETWEEN 1 AND 1440);

CREATE TABLE service_periods (
    restaurant_id  uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
    key            text NOT NULL CHECK (key <> ''),
    position       integer NOT NULL,
    weekdays       integer[] NOT NULL
                     CHECK (cardinality(weekdays) > 0 AND weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]),
    first_seating  time NOT NULL,
    last_seating   time NOT NULL CHECK (last_seating >= first_seating),
    turn_minutes   jsonb CHECK (turn_minutes IS NULL OR jsonb_typeof(turn_minutes) = 'array'),
    slot_minutes   integer CHECK (slot_minutes BETWEEN 1 AND 1440),
    max_covers     integer CHECK (max_covers >= 0),
    max_parties    integer CHECK (max_parties >= 0),
    CHECK (slot_minutes IS NOT NULL OR (max_covers IS NULL AND max_parties IS NULL)),
    PRIMARY KEY (restaurant_id, key)
);

CREATE TABLE closures (
    restaurant_id  uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
    date           date NOT NULL,
    reason         text,
    PRIMARY KEY (restaurant_id, date)
);

ALTER TABLE bookings
    ADD COLUMN source text NOT NULL DEFAULT 'online'
        CHECK (source IN ('online', 'phone', 'walk_in')),
    ADD COLUMN seated_at timestamptz,
    ADD COLUMN left_at timestamptz,
    ADD COLUMN pinned boolean NOT NULL DEFAULT false,
    ADD COLUMN confirmed_tables text[],
    ADD CONSTRAINT bookings_seated_has_time CHECK (
        status NOT IN ('seated', 'completed') OR seated_at IS NOT NULL),
    ADD CONSTRAINT bookings_left_after_seated CHECK (
        left_at IS NULL OR (seated_at IS NOT NULL AND left_at >= seated_at));
CREATE INDEX bookings_live_service ON bookings (restaurant_id, status, start_at)
    WHERE status IN ('confirmed', 'seated', 'pending');

CREATE TABLE booking_moves (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    restaurant_id  uuid NOT NULL,
    booking_id     uuid NOT NULL,
    from_tables    text[] NOT NULL,
    to_tables      text[] NOT NULL,
    actor          text,
    reason         text,
    moved_at       timestamptz NOT NULL,
    FOREIGN KEY (restaurant_id, booking_id) REFERENCES bookings (restaurant_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_moves_booking ON booking_moves (booking_id, id);

CREATE TABLE table_blocks (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    restaurant_id  uuid NOT NULL,
    table_id       bigint NOT NULL,
    during         tstzrange NOT NULL CHECK (NOT isempty(during)),
    reason         text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    removed_at     timestamptz,
    FOREIGN KEY (restaurant_id, table_id) REFERENCES tables (restaurant_id, id) ON DELETE CASCADE
);
CREATE INDEX table_blocks_live ON table_blocks USING gist (during) WHERE removed_at IS NULL;

-- The moment a statement acts at: the simulated clock's when a simulation set it, else now().
CREATE FUNCTION seatflow_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('seatflow.now', true), '')::timestamptz, now())
$$;

-- After allocations are written: each booking whose live table set differs from the one it was
-- last given records a move (the first placement records none) and remembers its new set.
CREATE FUNCTION seatflow_record_moves() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER allocations_record_moves AFTER INSERT ON allocations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION seatflow_record_moves();

-- Nothing new lands on a blocked table: an allocation overlapping a live block is refused.
CREATE FUNCTION seatflow_refuse_blocked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    blocked text;
BEGIN
    SELECT t.key INTO blocked
    FROM table_blocks k JOIN tables t ON t.id = k.table_id
    WHERE k.table_id = NEW.table_id AND k.removed_at IS NULL AND k.during && NEW.during
    LIMIT 1;
    IF blocked IS NOT NULL THEN
        RAISE EXCEPTION 'table % is blocked in that window', blocked USING ERRCODE = 'SF002';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER allocations_refuse_blocked BEFORE INSERT ON allocations
    FOR EACH ROW WHEN (NEW.released_at IS NULL) EXECUTE FUNCTION seatflow_refuse_blocked();
"""

DOWNGRADE = r"""
DROP TRIGGER allocations_refuse_blocked ON allocations;
DROP FUNCTION seatflow_refuse_blocked();
DROP TRIGGER allocations_record_moves ON allocations;
DROP FUNCTION seatflow_record_moves();
DROP FUNCTION seatflow_now();
DROP TABLE table_blocks;
DROP TABLE booking_moves;
DROP INDEX bookings_live_service;
ALTER TABLE bookings
    DROP CONSTRAINT bookings_left_after_seated,
    DROP CONSTRAINT bookings_seated_has_time,
    DROP COLUMN confirmed_tables,
    DROP COLUMN pinned,
    DROP COLUMN left_at,
    DROP COLUMN seated_at,
    DROP COLUMN source;
DROP TABLE closures;
DROP TABLE service_periods;
ALTER TABLE restaurants DROP COLUMN overstay_step_minutes, DROP COLUMN no_show_grace_minutes;
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute(DOWNGRADE)
