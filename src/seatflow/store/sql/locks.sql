-- try_booking_lock --
-- The per-booking lock: transaction-scoped, so it cannot expire mid-work and dies with the worker.
SELECT pg_try_advisory_xact_lock(%(namespace)s, hashtext(%(key)s)) AS locked;

-- try_restaurant_permit --
-- Take the first free of N permit slots of a restaurant, cluster-wide; NULL when all are busy.
SELECT slot FROM generate_series(0, %(slots)s - 1) AS slot
WHERE pg_try_advisory_xact_lock(%(namespace)s, hashtext(%(key)s || ':' || slot))
LIMIT 1;
