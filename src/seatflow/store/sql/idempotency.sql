-- find_idempotency_key --
-- The booking a restaurant's key created, while the key is within its retention (an older row
-- counts as absent: the sweep has simply not reached it yet).
SELECT fingerprint, booking_id FROM idempotency_keys
WHERE restaurant_id = %(restaurant_id)s AND key = %(key)s
  AND created_at > now() - %(retention)s;

-- claim_idempotency_key --
-- Record the key for the booking this transaction wrote; a row past its retention is taken over.
-- A concurrent claim of the same key waits here on the primary key until the first commits; it
-- then returns no row (the key is taken) and the caller rolls back and replays the first booking.
INSERT INTO idempotency_keys (restaurant_id, key, fingerprint, booking_id, created_at)
VALUES (%(restaurant_id)s, %(key)s, %(fingerprint)s, %(booking_id)s, now())
ON CONFLICT (restaurant_id, key) DO UPDATE
SET fingerprint = EXCLUDED.fingerprint, booking_id = EXCLUDED.booking_id,
    created_at = EXCLUDED.created_at
WHERE idempotency_keys.created_at <= now() - %(retention)s
RETURNING booking_id;

-- sweep_idempotency_keys --
-- Delete up to `limit` keys past their retention, oldest first (the created_at index); rows a
-- claim is taking over right now are skipped, not waited for.
DELETE FROM idempotency_keys k
USING (
    SELECT restaurant_id, key FROM idempotency_keys
    WHERE created_at <= now() - %(retention)s
    ORDER BY created_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
) old
WHERE k.restaurant_id = old.restaurant_id AND k.key = old.key;
