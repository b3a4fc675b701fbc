-- attribute_moves --
-- Who moves tables in this transaction and why, and the moment it acts at: read by the
-- booking_moves trigger (migration 0007) and seatflow_now().
SELECT set_config('seatflow.actor', %(actor)s, true), set_config('seatflow.reason', %(reason)s, true),
       set_config('seatflow.now', %(now)s::text, true);

-- seat_allocations --
-- Give a booking these tables for an explicit window (a seated party's turn runs from the moment
-- it sits); the exclusion constraint and the block trigger have the last word.
INSERT INTO allocations (restaurant_id, booking_id, table_id, during)
SELECT b.restaurant_id, b.id, unnest(%(table_ids)s::bigint[]), tstzrange(%(start)s, %(end)s, '[)')
FROM bookings b WHERE b.id = %(booking_id)s;

-- change_status --
-- A live-service status change (seated, completed, no_show) with its times and an outbox row, in
-- one statement; `expected` guards against a concurrent change (SF003 when it moved).
WITH changed AS (
    UPDATE bookings
    SET status = %(status)s,
        seated_at = CASE WHEN %(status)s = 'seated' THEN %(at)s
                         WHEN %(status)s = 'no_show' THEN NULL ELSE seated_at END,
        left_at = CASE WHEN %(status)s = 'completed' THEN %(at)s ELSE left_at END,
        updated_at = now()
    WHERE id = %(booking_id)s AND status = ANY(%(expected)s::text[])
    RETURNING id, restaurant_id
), announced AS (
    INSERT INTO outbox (topic, aggregate_id, payload)
    SELECT 'booking.status_changed', c.id,
           jsonb_build_object('booking_id', c.id, 'restaurant_id', c.restaurant_id,
                              'status', %(status)s::text, 'at', %(at)s::timestamptz,
                              'reason', %(reason)s::text)
    FROM changed c
)
SELECT seatflow_assert(
    EXISTS (SELECT 1 FROM changed), 'SF003',
    format('booking %%s is not %%s', %(booking_id)s, array_to_string(%(expected)s::text[], ' or '))
) AS changed;

-- end_stay --
-- Guests left at `at`: their tables are free from `at` plus the buffer (never later than the
-- occupancy already reserved, never before it began).
UPDATE allocations a
SET during = tstzrange(lower(a.during),
                       greatest(least(upper(a.during), %(free_from)s), lower(a.during) + interval '1 minute'),
                       '[)')
WHERE a.booking_id = %(booking_id)s AND a.released_at IS NULL;

-- extend_stay --
-- An overstay: the seated party's tables are theirs until `until` (the caller freed whatever else
-- was there in the same transaction; the exclusion constraint checks).
UPDATE allocations a SET during = tstzrange(lower(a.during), %(until)s, '[)')
WHERE a.booking_id = %(booking_id)s AND a.released_at IS NULL AND upper(a.during) < %(until)s;

-- due_no_shows --
-- Reservations whose guests have not arrived `no_show_grace_minutes` after their start: placed or
-- not, they release their tables now. Walk-ins are seated on arrival and never due. Only where the
-- live service runs in seatflow (the restaurant has service periods, so arrivals are reported):
-- elsewhere nobody would tell us the guests came.
SELECT b.id, b.restaurant_id
FROM bookings b JOIN restaurants r ON r.id = b.restaurant_id
WHERE b.status IN ('pending', 'confirmed') AND b.source <> 'walk_in'
  AND EXISTS (SELECT 1 FROM service_periods sp WHERE sp.restaurant_id = b.restaurant_id)
  AND b.start_at + make_interval(mins => r.no_show_grace_minutes) <= %(now)s
  AND (%(restaurant_id)s::uuid IS NULL OR b.restaurant_id = %(restaurant_id)s)
ORDER BY b.start_at, b.id;

-- due_overstays --
-- Seated parties whose turn (the occupancy less the buffer) has ended: they keep their tables for
-- as many more steps as it takes for the turn to end after `now` (one, when the sweep is on time).
-- `until` is the new end of the occupancy, buffer included.
SELECT b.id, b.restaurant_id, max(upper(a.during)) AS occupied_until,
       max(upper(a.during)) + make_interval(mins => r.overstay_step_minutes) * (1 + floor(
           extract(epoch FROM %(now)s - (max(upper(a.during)) - make_interval(mins => r.buffer_minutes)))
           / (60 * r.overstay_step_minutes)))::int AS until,
       array_agg(a.table_id ORDER BY a.table_id) AS table_ids
FROM bookings b
JOIN restaurants r ON r.id = b.restaurant_id
JOIN allocations a ON a.booking_id = b.id AND a.released_at IS NULL
WHERE b.status = 'seated'
  AND (%(restaurant_id)s::uuid IS NULL OR b.restaurant_id = %(restaurant_id)s)
GROUP BY b.id, b.restaurant_id, r.overstay_step_minutes, r.buffer_minutes
HAVING max(upper(a.during)) - make_interval(mins => r.buffer_minutes) <= %(now)s
ORDER BY b.id;

-- seated_in_turn --
-- Seated parties whose occupancy has not ended yet, with since when they sit and until when they
-- hold their tables: the candidates for a whole turn they were not given at the door
-- (`pipeline.whole_turns`).
SELECT b.id, b.restaurant_id, b.party_size, b.start_at, b.duration_minutes,
       min(lower(a.during)) AS seated_from, max(upper(a.during)) AS occupied_until
FROM bookings b
JOIN allocations a ON a.booking_id = b.id AND a.released_at IS NULL
WHERE b.status = 'seated'
  AND (%(restaurant_id)s::uuid IS NULL OR b.restaurant_id = %(restaurant_id)s)
GROUP BY b.id, b.restaurant_id
HAVING max(upper(a.during)) > %(now)s
ORDER BY min(lower(a.during)), b.id;

-- colliding_bookings --
-- Bookings not yet seated whose live tables overlap these tables in [start, until): what an
-- overstay or a blocked table displaces. Row-locked, in id order (no deadlock between two sweeps).
SELECT DISTINCT b.id
FROM allocations a JOIN bookings b ON b.id = a.booking_id
WHERE a.table_id = ANY(%(table_ids)s::bigint[]) AND a.released_at IS NULL
  AND a.during && tstzrange(%(start)s, %(until)s, '[)')
  AND b.status IN ('pending', 'confirmed') AND b.id IS DISTINCT FROM %(booking_id)s::uuid
ORDER BY b.id;

-- insert_block --
-- A table out of use over a window.
INSERT INTO table_blocks (restaurant_id, table_id, during, reason)
VALUES (%(restaurant_id)s, %(table_id)s, tstzrange(%(start)s, %(until)s, '[)'), %(reason)s)
RETURNING id, table_id, lower(during) AS start_at, upper(during) AS until, reason, created_at;

-- remove_block --
-- The table is back: its block stops counting.
UPDATE table_blocks SET removed_at = %(now)s
WHERE id = %(block_id)s AND restaurant_id = %(restaurant_id)s AND removed_at IS NULL
RETURNING id;

-- live_blocks --
-- A restaurant's live blocks, soonest first.
SELECT k.id, t.key AS table_key, lower(k.during) AS start_at, upper(k.during) AS until, k.reason,
       k.created_at
FROM table_blocks k JOIN tables t ON t.id = k.table_id
WHERE k.restaurant_id = %(restaurant_id)s AND k.removed_at IS NULL
ORDER BY lower(k.during), t.key;

-- paced_reservations --
-- The live reservations (not walk-ins; not cancelled or no-show) starting in a range: what pacing
-- counts.
SELECT b.start_at, b.party_size
FROM bookings b
WHERE b.restaurant_id = %(restaurant_id)s AND b.source <> 'walk_in'
  AND b.status NOT IN ('cancelled', 'no_show')
  AND b.start_at >= %(from)s AND b.start_at < %(to)s
  AND b.id IS DISTINCT FROM %(exclude)s::uuid;

-- booking_moves --
-- Every change of a booking's tables, oldest first.
SELECT from_tables, to_tables, actor, reason, moved_at
FROM booking_moves WHERE booking_id = %(booking_id)s ORDER BY id;

-- move_counts --
-- How often each booking of a restaurant changed tables.
SELECT booking_id, count(*)::int AS moves
FROM booking_moves WHERE restaurant_id = %(restaurant_id)s GROUP BY booking_id;

-- set_pinned --
-- Staff placed the booking by hand (or released it): re-packing never moves a pinned booking.
UPDATE bookings SET pinned = %(pinned)s, updated_at = now()
WHERE id = %(booking_id)s RETURNING id;

-- next_deadline --
-- The next moment the live service's periodic work has something to do for a restaurant: a
-- reservation's grace ending, or a seated party's turn ending (occupancy less the buffer).
SELECT least(
    (SELECT min(b.start_at + make_interval(mins => r.no_show_grace_minutes))
     FROM bookings b JOIN restaurants r ON r.id = b.restaurant_id
     WHERE b.restaurant_id = %(restaurant_id)s AND b.status IN ('pending', 'confirmed')
       AND b.source <> 'walk_in'
       AND EXISTS (SELECT 1 FROM service_periods sp WHERE sp.restaurant_id = b.restaurant_id)),
    (SELECT min(s.until) FROM (
        SELECT max(upper(a.during)) - make_interval(mins => r.buffer_minutes) AS until
        FROM bookings b
        JOIN restaurants r ON r.id = b.restaurant_id
        JOIN allocations a ON a.booking_id = b.id AND a.released_at IS NULL
        WHERE b.restaurant_id = %(restaurant_id)s AND b.status = 'seated'
        GROUP BY b.id, r.buffer_minutes) s)
) AS at;

-- waiting_for_tables --
-- Reservations accepted but holding no tables whose guests are still expected soon: what a
-- departure's freed tables may seat. Oldest first.
SELECT b.id
FROM bookings b JOIN restaurants r ON r.id = b.restaurant_id
WHERE b.restaurant_id = %(restaurant_id)s AND b.status = 'pending' AND b.source <> 'walk_in'
  AND b.assignment_state IN ('assignment_pending', 'manual_review')
  AND b.start_at + make_interval(mins => r.no_show_grace_minutes) > %(now)s
  AND b.start_at < %(until)s
  AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.booking_id = b.id AND a.released_at IS NULL)
ORDER BY b.created_at, b.id;

-- last_tables --
-- The table set a booking was last given (kept when it lost them: a no-show, a hand-back).
SELECT coalesce(confirmed_tables, '{}') AS tables FROM bookings WHERE id = %(booking_id)s;
