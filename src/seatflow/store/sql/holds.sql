-- share_floor_lock --
-- Writers of tables hold the restaurant's floor lock shared until they commit, and only try it:
-- while a floor change holds it exclusively they fail at once (SF001) and retry on the new floor.
SELECT seatflow_assert(
    pg_try_advisory_xact_lock_shared(%(namespace)s, hashtext(%(restaurant_id)s::text)),
    'SF001', 'the floor is being changed'
) AS shared;

-- assert_floor_current --
-- The floor the plan was made on is still the restaurant's (SF001 otherwise). A statement of its
-- own after the lock above, so it sees any floor change committed before the lock was taken.
SELECT seatflow_assert(
    EXISTS (SELECT 1 FROM restaurants WHERE id = %(restaurant_id)s AND updated_at = %(version)s),
    'SF001', 'the floor changed since the plan was made'
) AS current;

-- lock_tables --
-- Serialise hold-taking per table: row locks in id order, so two takers never deadlock.
SELECT id FROM tables WHERE id = ANY(%(table_ids)s) ORDER BY id FOR UPDATE;

-- assert_tables_free --
-- Raise SF002 naming the tables of the set that another booking owns (live allocation) or holds
-- (unexpired) in the window; bookings that this change moves away do not count.
SELECT seatflow_assert(
    count(*) = 0, 'SF002', 'tables taken: ' || string_agg(DISTINCT t.key, ', ' ORDER BY t.key)
) AS free
FROM (
    SELECT a.table_id FROM allocations a
    WHERE a.table_id = ANY(%(table_ids)s) AND a.released_at IS NULL
      AND a.during && tstzrange(%(start)s, %(end)s, '[)')
      AND a.booking_id <> %(booking_id)s AND NOT (a.booking_id = ANY(%(moving)s))
    UNION ALL
    SELECT m.table_id FROM table_hold_members m JOIN table_holds h ON h.id = m.hold_id
    WHERE m.table_id = ANY(%(table_ids)s) AND h.confirmed_at IS NULL AND h.expires_at > %(now)s
      AND h.during && tstzrange(%(start)s, %(end)s, '[)') AND h.booking_id <> %(booking_id)s
) taken JOIN tables t ON t.id = taken.table_id;

-- insert_hold --
-- A short lease on tables for one booking, with its tables; the id comes from the caller, and
-- `confirmed_at` too when the same transaction turns it into allocations.
WITH hold AS (
    INSERT INTO table_holds (id, restaurant_id, booking_id, during, expires_at, confirmed_at)
    VALUES (%(hold_id)s, %(restaurant_id)s, %(booking_id)s, tstzrange(%(start)s, %(end)s, '[)'),
            %(expires_at)s, %(confirmed_at)s)
    RETURNING id
)
INSERT INTO table_hold_members (hold_id, restaurant_id, table_id)
SELECT hold.id, %(restaurant_id)s, unnest(%(table_ids)s::bigint[]) FROM hold;

-- assert_movable --
-- A re-pack moves a booking only while it is open and still on the tables the plan saw (SF002).
SELECT seatflow_assert(
    EXISTS (
        SELECT 1 FROM bookings b
        WHERE b.id = %(booking_id)s AND b.status <> ALL(%(closed)s::text[])
          AND (SELECT array_agg(a.table_id ORDER BY a.table_id) FROM allocations a
               WHERE a.booking_id = b.id AND a.released_at IS NULL) = %(from_ids)s::bigint[]
    ),
    'SF002', format('booking %%s is no longer on the tables the plan moves it from', %(booking_id)s)
) AS movable;

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
-- Give a booking these tables for its own window, or for [start, end) when given (a party delayed
-- within its grace for guests at the door); the exclusion constraint has the last word.
INSERT INTO allocations (restaurant_id, booking_id, table_id, during)
SELECT b.restaurant_id, b.id, unnest(%(table_ids)s::bigint[]),
       tstzrange(coalesce(%(start)s::timestamptz, b.start_at),
                 coalesce(%(end)s::timestamptz, b.end_at), '[)')
FROM bookings b WHERE b.id = %(booking_id)s;

-- release_holds_of_booking --
-- Drop a booking's unconfirmed holds (every failure path does this).
DELETE FROM table_holds WHERE booking_id = %(booking_id)s AND confirmed_at IS NULL;

-- sweep_expired_holds --
-- Expired, unconfirmed holds are ignored by every reader; this removes them.
DELETE FROM table_holds WHERE confirmed_at IS NULL AND expires_at <= %(now)s;

-- occupancy_of_window --
-- The scope of `occupancy`: a restaurant and a time range.
WITH scope AS (
    SELECT %(restaurant_id)s::uuid AS restaurant_id, tstzrange(%(from)s, %(to)s, '[)') AS reach,
           EXISTS (SELECT 1 FROM service_periods sp
                   WHERE sp.restaurant_id = %(restaurant_id)s::uuid) AS live_service
)

-- occupancy_of_booking --
-- The scope of `occupancy`: a booking's restaurant, `reach` either side of its window, read in
-- the same round trip as the booking itself.
WITH scope AS (
    SELECT restaurant_id,
           tstzrange(start_at - %(reach)s::interval, end_at + %(reach)s::interval, '[)') AS reach,
           EXISTS (SELECT 1 FROM service_periods sp
                   WHERE sp.restaurant_id = bookings.restaurant_id) AS live_service
    FROM bookings WHERE id = %(booking_id)s
)

-- occupancy --
-- What holds tables in the scope (one of the two blocks above goes first): live allocations (one
-- row per booking), unexpired, unconfirmed holds (one row per hold) and live table blocks (one row
-- per block: a broken table is occupied by nobody), in one statement.
SELECT 'allocation' AS kind, a.booking_id, b.party_size, b.status, b.zone_preference, b.pinned,
       scope.live_service, min(lower(a.during)) AS start_at,
       -- a seated party is at its table until it leaves, whatever its turn said
       CASE WHEN b.status = 'seated'
            THEN greatest(max(upper(a.during)), %(now)s::timestamptz + interval '1 minute')
            ELSE max(upper(a.during)) END AS end_at,
       array_agg(t.key ORDER BY t.key) AS tables
FROM scope
JOIN allocations a ON a.restaurant_id = scope.restaurant_id AND a.during && scope.reach
JOIN bookings b ON b.id = a.booking_id
JOIN tables t ON t.id = a.table_id
WHERE a.released_at IS NULL
GROUP BY a.booking_id, b.party_size, b.status, b.zone_preference, b.pinned, scope.live_service
UNION ALL
SELECT 'hold', h.booking_id, b.party_size, b.status, b.zone_preference, b.pinned,
       scope.live_service, lower(h.during), upper(h.during), array_agg(t.key ORDER BY t.key)
FROM scope
JOIN table_holds h ON h.restaurant_id = scope.restaurant_id AND h.during && scope.reach
JOIN table_hold_members m ON m.hold_id = h.id
JOIN tables t ON t.id = m.table_id
JOIN bookings b ON b.id = h.booking_id
WHERE h.confirmed_at IS NULL AND h.expires_at > %(now)s
GROUP BY h.id, h.booking_id, b.party_size, b.status, b.zone_preference, b.pinned, h.during,
         scope.live_service
UNION ALL
SELECT 'block', k.id, 1, 'blocked', NULL, true, scope.live_service, lower(k.during), upper(k.during), ARRAY[t.key]
FROM scope
JOIN table_blocks k ON k.restaurant_id = scope.restaurant_id AND k.during && scope.reach
JOIN tables t ON t.id = k.table_id
WHERE k.removed_at IS NULL;
