-- upsert_restaurant --
-- Create the restaurant or update it in place by slug; returns its id.
INSERT INTO restaurants (slug, name, timezone, turn_minutes, buffer_minutes, max_tables_per_booking)
VALUES (%(slug)s, %(name)s, %(timezone)s, %(turn_minutes)s, %(buffer_minutes)s, %(max_tables)s)
ON CONFLICT (slug) DO UPDATE SET
    name = EXCLUDED.name, timezone = EXCLUDED.timezone, turn_minutes = EXCLUDED.turn_minutes,
    buffer_minutes = EXCLUDED.buffer_minutes,
    max_tables_per_booking = EXCLUDED.max_tables_per_booking, updated_at = clock_timestamp()
RETURNING id;

-- upsert_zone --
-- Create or rename a zone by key.
INSERT INTO zones (restaurant_id, key, name) VALUES (%(restaurant_id)s, %(key)s, %(name)s)
ON CONFLICT (restaurant_id, key) DO UPDATE SET name = EXCLUDED.name
RETURNING id;

-- upsert_table --
-- Create or update a table by key; a re-imported table is active again.
INSERT INTO tables (restaurant_id, zone_id, key, capacity, min_party, combinable, active)
VALUES (%(restaurant_id)s, %(zone_id)s, %(key)s, %(capacity)s, %(min_party)s, %(combinable)s, true)
ON CONFLICT (restaurant_id, key) DO UPDATE SET
    zone_id = EXCLUDED.zone_id, capacity = EXCLUDED.capacity, min_party = EXCLUDED.min_party,
    combinable = EXCLUDED.combinable, active = true
RETURNING id;

-- deactivate_missing_tables --
-- Tables no longer in the floor are kept (allocations point at them) but never offered again.
UPDATE tables SET active = false
WHERE restaurant_id = %(restaurant_id)s AND NOT (key = ANY(%(keys)s));

-- clear_adjacency --
-- Adjacency is replaced whole on each import.
DELETE FROM table_adjacency WHERE restaurant_id = %(restaurant_id)s;

-- insert_adjacency --
-- One undirected pair, smaller id first.
INSERT INTO table_adjacency (restaurant_id, table_a, table_b)
VALUES (%(restaurant_id)s, LEAST(%(a)s::bigint, %(b)s::bigint), GREATEST(%(a)s::bigint, %(b)s::bigint));

-- restaurant_by_slug --
-- The restaurant row, policy included, and its floor version.
SELECT id, slug, name, timezone, turn_minutes, buffer_minutes, max_tables_per_booking, updated_at
FROM restaurants WHERE slug = %(slug)s;

-- restaurant_by_id --
-- The restaurant row by id, and its floor version.
SELECT id, slug, name, timezone, turn_minutes, buffer_minutes, max_tables_per_booking, updated_at
FROM restaurants WHERE id = %(restaurant_id)s;

-- list_restaurants --
-- Every restaurant with its table count.
SELECT r.slug, r.name, r.timezone,
       (SELECT count(*) FROM tables t WHERE t.restaurant_id = r.id AND t.active) AS tables
FROM restaurants r ORDER BY r.slug;

-- floor_zones --
-- Zones of the current floor: a zone dropped from the file keeps only deactivated tables (they
-- stay for old allocations) and is not shown; a zone with no tables at all still is.
SELECT z.key, z.name FROM zones z
WHERE z.restaurant_id = %(restaurant_id)s
  AND (EXISTS (SELECT 1 FROM tables t WHERE t.zone_id = z.id AND t.active)
       OR NOT EXISTS (SELECT 1 FROM tables t WHERE t.zone_id = z.id))
ORDER BY z.id;

-- floor_tables --
-- Active tables with their zone key.
SELECT t.id, t.key, z.key AS zone, t.capacity, t.min_party, t.combinable
FROM tables t JOIN zones z ON z.id = t.zone_id
WHERE t.restaurant_id = %(restaurant_id)s AND t.active ORDER BY t.id;

-- floor_adjacency --
-- Adjacent pairs of active tables, by key.
SELECT a.key AS a, b.key AS b
FROM table_adjacency j
JOIN tables a ON a.id = j.table_a JOIN tables b ON b.id = j.table_b
WHERE j.restaurant_id = %(restaurant_id)s AND a.active AND b.active
ORDER BY a.key, b.key;

-- restaurant_id_by_slug --
-- The restaurant's id, nothing else.
SELECT id FROM restaurants WHERE slug = %(slug)s;

-- lock_floor_for_change --
-- The restaurant's floor lock, exclusive until the transaction ends: it waits for the writers of
-- tables holding it shared, and those that come later fail at once (they try, never wait).
SELECT pg_advisory_xact_lock(%(namespace)s, hashtext(%(restaurant_id)s::text))::text AS locked;

-- live_seatings --
-- Open bookings of the restaurant on live tables that end after now, with their table keys.
SELECT b.id, b.ref, b.start_at, b.party_size,
       array_agg(t.key ORDER BY t.key) AS tables
FROM bookings b
JOIN allocations a ON a.booking_id = b.id AND a.released_at IS NULL
JOIN tables t ON t.id = a.table_id
WHERE b.restaurant_id = %(restaurant_id)s AND b.status <> ALL(%(closed)s::text[])
GROUP BY b.id
HAVING max(upper(a.during)) > %(now)s
ORDER BY b.start_at, b.id;
