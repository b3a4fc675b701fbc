-- reschedule_booking --
-- A modification's new party and window, guarded by the version the caller read: a stale caller
-- matches no row. The version belongs to the state history, so it is not bumped here; the caller
-- holds the row lock, which is what keeps a worker from planning on the old values meanwhile.
UPDATE bookings
SET party_size = %(party_size)s, start_at = %(start_at)s, end_at = %(end_at)s, updated_at = now()
WHERE id = %(booking_id)s AND assignment_state_version = %(expected_version)s
RETURNING id;
