-- timeline_restaurant --
-- The restaurant a timeline is drawn for: names, time zone and the policy's turns and buffer.
SELECT id, slug, name, timezone, turn_minutes, buffer_minutes
FROM restaurants WHERE id = %(restaurant_id)s;

-- timeline_tables --
-- The current floor's tables (deactivated ones are gone from it) with their zone.
SELECT t.key, t.capacity, z.key AS zone, z.name AS zone_name
FROM tables t JOIN zones z ON z.id = t.zone_id
WHERE t.restaurant_id = %(restaurant_id)s AND t.active
ORDER BY z.key, t.key;

-- timeline_bookings --
-- Every booking starting in [day_start, day_end) whatever its status, with its live tables and
-- how long they are held (buffer and overstay extensions included), and the set it was last given
-- (what a no-show or a cancelled booking had). Guest contact details are left out on purpose.
SELECT b.id, b.ref, b.party_size, b.start_at, b.end_at, b.status, b.assignment_state,
       b.review_reason, b.source, b.pinned, b.seated_at, b.left_at,
       coalesce(b.confirmed_tables, '{}') AS last_tables,
       coalesce(array_agg(t.key ORDER BY t.key) FILTER (WHERE t.key IS NOT NULL), '{}') AS tables,
       max(upper(a.during)) AS held_until
FROM bookings b
LEFT JOIN allocations a ON a.booking_id = b.id AND a.released_at IS NULL
LEFT JOIN tables t ON t.id = a.table_id
WHERE b.restaurant_id = %(restaurant_id)s
  AND b.start_at >= %(day_start)s AND b.start_at < %(day_end)s
GROUP BY b.id
ORDER BY b.start_at, b.id;

-- timeline_holds --
-- Holds still live at `now` (not confirmed, not expired) overlapping the window, with their tables.
SELECT h.id, h.booking_id, lower(h.during) AS start_at, upper(h.during) AS end_at, h.expires_at,
       array_agg(t.key ORDER BY t.key) AS tables
FROM table_holds h
JOIN table_hold_members m ON m.hold_id = h.id
JOIN tables t ON t.id = m.table_id
WHERE h.restaurant_id = %(restaurant_id)s AND h.confirmed_at IS NULL AND h.expires_at > %(now)s
  AND h.during && tstzrange(%(day_start)s, %(day_end)s, '[)')
GROUP BY h.id
ORDER BY lower(h.during), h.id;

-- timeline_blocks --
-- Live table blocks overlapping the window.
SELECT k.id, t.key AS table_key, lower(k.during) AS start_at, upper(k.during) AS end_at, k.reason
FROM table_blocks k JOIN tables t ON t.id = k.table_id
WHERE k.restaurant_id = %(restaurant_id)s AND k.removed_at IS NULL
  AND k.during && tstzrange(%(day_start)s, %(day_end)s, '[)')
ORDER BY lower(k.during), t.key;

-- walk_ins_refused --
-- Walk-ins turned away at the door in [day_start, day_end), by reason (floor.walk_in_refused
-- events: refused online requests leave no row anywhere).
SELECT coalesce(context->>'reason', 'unknown') AS reason, count(*) AS n
FROM observability_events
WHERE restaurant_id = %(restaurant_id)s AND event_type = 'floor.walk_in_refused'
  AND created_at >= %(day_start)s AND created_at < %(day_end)s
GROUP BY 1 ORDER BY 1;
