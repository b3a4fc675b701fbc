-- orphaned_bookings --
-- Bookings waiting for assignment that no job waits or runs for (a job that failed, a row written
-- by hand): the upkeep gives each a new job. Both probes use procrastinate's partial unique indexes.
SELECT b.id
FROM bookings b
WHERE b.assignment_state IN ('created', 'capacity_verified', 'assignment_pending')
  AND NOT (b.status = ANY(%(closed_statuses)s))
  AND b.updated_at < now() - %(older_than)s::interval
  AND NOT EXISTS (
      SELECT 1 FROM procrastinate_jobs j
      WHERE j.queueing_lock = 'booking:' || b.id::text AND j.status = 'todo')
  AND NOT EXISTS (
      SELECT 1 FROM procrastinate_jobs j
      WHERE j.lock = 'booking:' || b.id::text AND j.status = 'doing')
ORDER BY b.updated_at
LIMIT %(limit)s;
