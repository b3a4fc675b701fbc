-- insert_booking --
-- A new booking starts in assignment state `created`, status `pending`.
INSERT INTO bookings (restaurant_id, ref, party_size, start_at, end_at, duration_minutes,
                      zone_preference, requested_at, guest_name, guest_phone, guest_email)
VALUES (%(restaurant_id)s, %(ref)s, %(party_size)s, %(start_at)s, %(end_at)s, %(duration_minutes)s,
        %(zone_preference)s, %(requested_at)s, %(guest_name)s, %(guest_phone)s, %(guest_email)s)
RETURNING *;

-- booking_by_id --
-- One booking.
SELECT * FROM bookings WHERE id = %(booking_id)s;

-- booking_by_id_for_update --
-- One booking, row-locked until the transaction ends.
SELECT * FROM bookings WHERE id = %(booking_id)s FOR UPDATE;

-- transition_state --
-- Version-checked state change, its history row and its outbox row in one statement: a stale
-- writer matches no row, and then nothing at all is written.
WITH changed AS (
    UPDATE bookings
    SET assignment_state = %(to_state)s,
        assignment_state_version = assignment_state_version + 1,
        status = COALESCE(%(status)s, status),
        assignment_strategy = COALESCE(%(strategy)s, assignment_strategy),
        review_reason = %(review_reason)s,
        updated_at = now()
    WHERE id = %(booking_id)s AND assignment_state_version = %(expected_version)s
    RETURNING *
), history AS (
    INSERT INTO booking_assignment_state_history
        (booking_id, from_state, to_state, version, reason, actor)
    SELECT id, %(from_state)s, assignment_state, assignment_state_version, %(reason)s, %(actor)s
    FROM changed
), announced AS (
    INSERT INTO outbox (topic, aggregate_id, payload)
    SELECT 'booking.assignment_state_changed', id,
           jsonb_build_object('booking_id', id, 'restaurant_id', restaurant_id,
                              'from', %(from_state)s::text, 'to', assignment_state,
                              'version', assignment_state_version, 'reason', %(reason)s::text)
    FROM changed
)
SELECT * FROM changed;

-- state_history --
-- A booking's state changes, oldest first.
SELECT from_state, to_state, version, reason, actor, created_at
FROM booking_assignment_state_history WHERE booking_id = %(booking_id)s ORDER BY version;

-- booking_table_keys --
-- The keys of a booking's live tables.
SELECT t.key FROM allocations a JOIN tables t ON t.id = a.table_id
WHERE a.booking_id = %(booking_id)s AND a.released_at IS NULL ORDER BY t.key;

-- insert_attempt --
-- One assignment attempt (per invocation, not per plan tried), numbered per booking and pipeline;
-- the caller holds the booking's lock, so two attempts never draw the same number.
INSERT INTO booking_assignment_attempts (booking_id, restaurant_id, pipeline, trigger, attempt_no,
                                         outcome, reason, strategy, score, tables, duration_ms)
SELECT %(booking_id)s, %(restaurant_id)s, %(pipeline)s, %(trigger)s,
       (SELECT count(*) + 1 FROM booking_assignment_attempts
        WHERE booking_id = %(booking_id)s AND pipeline = %(pipeline)s),
       %(outcome)s, %(reason)s, %(strategy)s, %(score)s, %(tables)s, %(duration_ms)s
RETURNING attempt_no;

-- set_status --
-- Change a booking's status (cancel, seat, …) without touching its assignment state.
UPDATE bookings SET status = %(status)s, updated_at = now() WHERE id = %(booking_id)s RETURNING *;

-- release_booking_allocations --
-- Free every live table of a booking.
UPDATE allocations SET released_at = %(now)s WHERE booking_id = %(booking_id)s AND released_at IS NULL;

-- booking_restaurant --
-- The restaurant of a booking, for routing.
SELECT r.id, r.slug FROM bookings b JOIN restaurants r ON r.id = b.restaurant_id
WHERE b.id = %(booking_id)s;

-- stuck_bookings --
-- Bookings a dead worker left in flight, older than a threshold, skipping rows someone holds.
SELECT * FROM bookings
WHERE assignment_state IN ('assignment_in_progress', 'assigned')
  AND updated_at < now() - %(older_than)s::interval
ORDER BY updated_at
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED;
