-- lock_tables --
-- Serialise hold-taking per table: row locks in id order, so two takers never deadlock.
SELECT id FROM tables WHERE id = ANY(%(table_ids)s) ORDER BY id FOR UPDATE;

-- conflicting_table_keys --
-- Tables of the set that another booking owns (live allocation) or holds (unexpired) in the window;
-- bookings that this change moves away do not count.
SELECT DISTINCT t.key
FROM (
    SELECT a.table_id FROM allocations a
    WHERE a.table_id = ANY(%(table_ids)s) AND a.released_at IS NULL
      AND a.during && tstzrange(%(start)s, %(end)s, '[)')
      AND a.booking_id <> %(booking_id)s AND NOT (a.booking_id = ANY(%(moving)s))
    UNION ALL
    SELECT m.table_id FROM table_hold_members m JOIN table_holds h ON h.id = m.hold_id
    WHERE m.table_id = ANY(%(table_ids)s) AND h.confirmed_at IS NULL AND h.expires_at > %(now)s
      AND h.during && tstzrange(%(start)s, %(end)s, '[)') AND h.booking_id <> %(booking_id)s
) taken JOIN tables t ON t.id = taken.table_id
ORDER BY t.key;

-- insert_hold --
-- A short lease on tables for one booking.
INSERT INTO table_holds (restaurant_id, booking_id, during, expires_at)
VALUES (%(restaurant_id)s, %(booking_id)s, tstzrange(%(start)s, %(end)s, '[)'), %(expires_at)s)
RETURNING id;

-- insert_hold_members --
-- The tables of a hold.
INSERT INTO table_hold_members (hold_id, restaurant_id, table_id)
SELECT %(hold_id)s, %(restaurant_id)s, unnest(%(table_ids)s::bigint[]);

-- hold_for_update --
-- A hold and its tables, locked for confirmation.
SELECT h.id, h.restaurant_id, h.booking_id, lower(h.during) AS start_at, upper(h.during) AS end_at,
       h.expires_at, h.confirmed_at,
       (SELECT array_agg(m.table_id ORDER BY m.table_id) FROM table_hold_members m
        WHERE m.hold_id = h.id) AS table_ids
FROM table_holds h WHERE h.id = %(hold_id)s FOR UPDATE;

-- mark_hold_confirmed --
-- The hold became allocations; it stays as the idempotency record.
UPDATE table_holds SET confirmed_at = %(now)s WHERE id = %(hold_id)s;

-- insert_allocations --
-- Give a booking its tables for its window; the exclusion constraint has the last word.
INSERT INTO allocations (restaurant_id, booking_id, table_id, during)
SELECT %(restaurant_id)s, %(booking_id)s, unnest(%(table_ids)s::bigint[]),
       tstzrange(%(start)s, %(end)s, '[)');

-- live_table_ids --
-- The live tables of a booking.
SELECT table_id FROM allocations
WHERE booking_id = %(booking_id)s AND released_at IS NULL ORDER BY table_id;

-- release_holds_of_booking --
-- Drop a booking's unconfirmed holds (every failure path does this).
DELETE FROM table_holds WHERE booking_id = %(booking_id)s AND confirmed_at IS NULL;

-- sweep_expired_holds --
-- Expired, unconfirmed holds are ignored by every reader; this removes them.
DELETE FROM table_holds WHERE confirmed_at IS NULL AND expires_at <= %(now)s;

-- service_occupancy --
-- What holds tables in a time range: live allocations (one row per booking) and unexpired,
-- unconfirmed holds (one row per hold), in one round trip.
SELECT 'allocation' AS kind, a.booking_id, b.party_size, b.status, b.zone_preference,
       min(lower(a.during)) AS start_at, max(upper(a.during)) AS end_at,
       array_agg(t.key ORDER BY t.key) AS tables
FROM allocations a
JOIN bookings b ON b.id = a.booking_id
JOIN tables t ON t.id = a.table_id
WHERE a.restaurant_id = %(restaurant_id)s AND a.released_at IS NULL
  AND a.during && tstzrange(%(from)s, %(to)s, '[)')
GROUP BY a.booking_id, b.party_size, b.status, b.zone_preference
UNION ALL
SELECT 'hold', h.booking_id, b.party_size, b.status, b.zone_preference,
       lower(h.during), upper(h.during), array_agg(t.key ORDER BY t.key)
FROM table_holds h
JOIN table_hold_members m ON m.hold_id = h.id
JOIN tables t ON t.id = m.table_id
JOIN bookings b ON b.id = h.booking_id
WHERE h.restaurant_id = %(restaurant_id)s AND h.confirmed_at IS NULL AND h.expires_at > %(now)s
  AND h.during && tstzrange(%(from)s, %(to)s, '[)')
GROUP BY h.id, h.booking_id, b.party_size, b.status, b.zone_preference, h.during;
