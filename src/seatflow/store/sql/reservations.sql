-- reservation_version --
-- The restaurant's reservation version, read first in an acceptance snapshot.
SELECT reservation_version FROM restaurants WHERE id = %(restaurant_id)s;

-- reservation_version_for_update --
-- The version under the restaurant row's lock: acceptances that lost the optimistic race decide
-- one at a time behind it.
SELECT reservation_version FROM restaurants WHERE id = %(restaurant_id)s FOR UPDATE;

-- unplaced_bookings --
-- Bookings accepted but holding no tables yet, overlapping the reach, oldest first: pending, in a
-- state the pipeline will still seat, with no live allocation. `manual_review` is left out on
-- purpose: staff own those, and counting an already-oversold one would refuse everything.
SELECT b.id, b.party_size, b.start_at, b.end_at, b.zone_preference
FROM bookings b
WHERE b.restaurant_id = %(restaurant_id)s
  AND b.start_at < %(to)s AND b.end_at > %(from)s
  AND b.status = 'pending'
  AND b.assignment_state IN ('created', 'capacity_verified', 'assignment_pending',
                             'assignment_in_progress', 'assigned')
  AND NOT EXISTS (SELECT 1 FROM allocations a
                  WHERE a.booking_id = b.id AND a.released_at IS NULL)
ORDER BY b.created_at, b.id;

-- claim_reservation_version --
-- Move the version on only if it is still the one the acceptance planned on; else another write
-- changed the restaurant's promises meanwhile and the statement fails (SF004), so the writes sent
-- after it in the same pipeline never run and nothing needs to be read back to decide.
WITH claimed AS (
    UPDATE restaurants SET reservation_version = reservation_version + 1
    WHERE id = %(restaurant_id)s AND reservation_version = %(seen)s
    RETURNING reservation_version
)
SELECT seatflow_assert(
    EXISTS (SELECT 1 FROM claimed), 'SF004',
    'the restaurant''s reservations changed since they were read'
) AS claimed;

-- bump_reservation_version --
-- A write that adds demand or removes supply makes every snapshot planned before it stale.
UPDATE restaurants SET reservation_version = reservation_version + 1
WHERE id = %(restaurant_id)s
RETURNING reservation_version;
