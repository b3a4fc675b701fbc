-- bookings_by_id_prefix --
-- Bookings whose id starts with what an operator typed (the short ids the CLI prints), with their
-- restaurant's slug; at most a few, to tell a unique prefix from an ambiguous one.
SELECT b.id, r.slug
FROM bookings b JOIN restaurants r ON r.id = b.restaurant_id
WHERE b.id::text LIKE %(prefix)s || '%%'
ORDER BY b.id
LIMIT 5;
