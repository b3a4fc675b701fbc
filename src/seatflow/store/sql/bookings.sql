-- insert_booking --
-- A new booking starts in assignment state `created`, status `pending`.
INSERT INTO bookings (id, restaurant_id, ref, party_size, start_at, end_at, duration_minutes,
                      zone_preference, requested_at, guest_name, guest_phone, guest_email,
                      simulated, source)
VALUES (%(id)s, %(restaurant_id)s, %(ref)s, %(party_size)s, %(start_at)s, %(end_at)s, %(duration_minutes)s,
        %(zone_preference)s, %(requested_at)s, %(guest_name)s, %(guest_phone)s, %(guest_email)s,
        %(simulated)s, %(source)s)
RETURNING *;

-- booking_by_id --
-- One booking.
SELECT * FROM bookings WHERE id = %(booking_id)s;

-- booking_by_id_for_update --
-- One booking, row-locked until the transaction ends.
SELECT * FROM bookings WHERE id = %(booking_id)s FOR UPDATE;

-- advance_state --
-- Walk a booking through one or more states in one version-checked statement: the booking row, and
-- per step a history row and an outbox row. A stale writer raises SF001 and nothing is written.
WITH path AS (
    SELECT p.from_state, p.to_state, p.step::int AS step
    FROM unnest(%(from_states)s::text[], %(to_states)s::text[])
         WITH ORDINALITY AS p(from_state, to_state, step)
), changed AS (
    UPDATE bookings
    SET assignment_state = %(to_state)s,
        assignment_state_version = assignment_state_version + %(steps)s,
        status = COALESCE(%(status)s, status),
        assignment_strategy = COALESCE(%(strategy)s, assignment_strategy),
        review_reason = %(review_reason)s,
        updated_at = now()
    WHERE id = %(booking_id)s AND assignment_state_version = %(expected_version)s
    RETURNING id, restaurant_id
), history AS (
    INSERT INTO booking_assignment_state_history
        (booking_id, from_state, to_state, version, reason, actor)
    SELECT c.id, p.from_state, p.to_state, %(expected_version)s + p.step, %(reason)s, %(actor)s
    FROM changed c CROSS JOIN path p
), announced AS (
    INSERT INTO outbox (topic, aggregate_id, payload)
    SELECT 'booking.assignment_state_changed', c.id,
           jsonb_build_object('booking_id', c.id, 'restaurant_id', c.restaurant_id,
                              'from', p.from_state, 'to', p.to_state,
                              'version', %(expected_version)s + p.step, 'reason', %(reason)s::text)
    FROM changed c CROSS JOIN path p ORDER BY p.step
)
SELECT seatflow_assert(
    EXISTS (SELECT 1 FROM changed), 'SF001',
    format('booking %%s changed since version %%s', %(booking_id)s, %(expected_version)s)
) AS advanced;

-- claim_booking --
-- The booking's lock and row, with what an assigner needs next: the restaurant's slug and floor
-- version, and the first free of N restaurant permits (N may be 0). No booking comes back when
-- another worker holds the lock. (The attempts are counted by the next statement: this one's
-- snapshot is taken before its row lock waits, and could miss an attempt committed meanwhile.)
WITH lock AS (
    SELECT pg_try_advisory_xact_lock(%(lock_namespace)s, hashtext(%(booking_key)s)) AS locked
)
SELECT lock.locked, r.slug AS restaurant_slug, r.updated_at AS floor_version,
       permit.slot AS permit_slot, b.*
FROM lock
LEFT JOIN LATERAL (
    SELECT * FROM bookings WHERE id = %(booking_id)s AND lock.locked FOR UPDATE
) b ON true
LEFT JOIN restaurants r ON r.id = b.restaurant_id
LEFT JOIN LATERAL (
    SELECT slot FROM generate_series(0, %(permits)s - 1) AS slot
    WHERE r.id IS NOT NULL
      AND pg_try_advisory_xact_lock(%(permit_namespace)s, hashtext(r.id::text || ':' || slot))
    LIMIT 1
) permit ON true;

-- attempts_so_far --
-- A booking's attempts in one pipeline, and how many ended in an error (the error budget's count),
-- read after its lock was taken (sent with the claim).
SELECT count(*) AS attempts, count(*) FILTER (WHERE outcome = 'error') AS errors
FROM booking_assignment_attempts
WHERE booking_id = %(booking_id)s AND pipeline = %(pipeline)s;

-- assert_booking_open --
-- Tables go only to a booking that is still open (its row locked first by the caller).
SELECT seatflow_assert(
    EXISTS (SELECT 1 FROM bookings WHERE id = %(booking_id)s AND status <> ALL(%(closed)s::text[])),
    'SF003', format('booking %%s is closed', %(booking_id)s)
) AS open;

-- state_history --
-- A booking's state changes, oldest first.
SELECT from_state, to_state, version, reason, actor, created_at
FROM booking_assignment_state_history WHERE booking_id = %(booking_id)s ORDER BY version;

-- booking_table_keys --
-- The keys of a booking's live tables.
SELECT t.key FROM allocations a JOIN tables t ON t.id = a.table_id
WHERE a.booking_id = %(booking_id)s AND a.released_at IS NULL ORDER BY t.key;

-- insert_attempt --
-- One assignment attempt (per invocation, not per plan tried), numbered per booking and pipeline
-- (given, or counted here); the caller holds the booking's lock, so no two draw the same number.
INSERT INTO booking_assignment_attempts (booking_id, restaurant_id, pipeline, trigger, attempt_no,
                                         outcome, reason, strategy, score, tables, duration_ms)
SELECT %(booking_id)s, %(restaurant_id)s, %(pipeline)s, %(trigger)s,
       COALESCE(%(attempt_no)s::int, (SELECT count(*) + 1 FROM booking_assignment_attempts
                                      WHERE booking_id = %(booking_id)s AND pipeline = %(pipeline)s)),
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
