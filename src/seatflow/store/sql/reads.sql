-- review_queue --
-- A restaurant's bookings waiting in manual review, soonest first, with the reason they are there.
SELECT id, party_size, start_at, end_at, zone_preference, review_reason, updated_at
FROM bookings
WHERE restaurant_id = %(restaurant_id)s AND assignment_state = 'manual_review'
  AND status NOT IN ('cancelled', 'seated', 'completed', 'no_show')
ORDER BY start_at, id
LIMIT %(limit)s;

-- search_events --
-- Observability events matching the optional filters, newest first.
SELECT id, created_at, source, event_type, severity, booking_id, restaurant_id, context
FROM observability_events
WHERE (%(source)s::text IS NULL OR source = %(source)s::text)
  AND (%(event_type)s::text IS NULL OR event_type = %(event_type)s::text)
  AND (%(since)s::timestamptz IS NULL OR created_at >= %(since)s::timestamptz)
  AND (%(booking_id)s::uuid IS NULL OR booking_id = %(booking_id)s::uuid)
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s;

-- assignment_backlog --
-- Gauges for /metrics, across every worker: bookings waiting for a table, bookings in review,
-- shadow comparisons where V3 did worse or failed since a moment, and the job queue — jobs due
-- and not yet taken, and how long the oldest of them has been due (its scheduled time, or when
-- it was deferred: procrastinate keeps that as the job's 'deferred' event; job ids grow with
-- deferral, so the lowest unscheduled id is the oldest).
WITH due AS (
    SELECT id, scheduled_at FROM procrastinate_jobs
    WHERE status = 'todo' AND (scheduled_at IS NULL OR scheduled_at <= now())
)
SELECT
    (SELECT count(*) FROM bookings
     WHERE status = 'pending'
       AND assignment_state IN ('created', 'capacity_verified', 'assignment_pending')) AS pending,
    (SELECT count(*) FROM bookings
     WHERE assignment_state = 'manual_review'
       AND status NOT IN ('cancelled', 'seated', 'completed', 'no_show')) AS in_review,
    (SELECT count(*) FROM observability_events
     WHERE source = 'assignment.coordinator' AND event_type = 'coordinator.shadow_compare'
       AND created_at >= %(since)s
       AND context->>'classification' IN ('legacy_better', 'v3_error')) AS shadow_mismatches,
    (SELECT count(*) FROM due) AS jobs_due,
    coalesce(extract(epoch FROM now() - least(
        (SELECT min(scheduled_at) FROM due),
        (SELECT min(e.at) FROM procrastinate_events e
         WHERE e.type = 'deferred'
           AND e.job_id = (SELECT min(id) FROM due WHERE scheduled_at IS NULL))
    )), 0)::float8 AS queue_lag_seconds;

-- ping --
-- The cheapest round trip: is the database answering?
SELECT 1 AS ok;
