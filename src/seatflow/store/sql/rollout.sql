-- rollout_outcomes --
-- Terminal outcomes per pipeline since a moment, for the whole scope (`total`) and per restaurant
-- (one GROUPING SETS pass): V3 from coordinator terminal events, legacy from its one summary per
-- run.
-- Counted by event type / explicit outcome, never by "has no reason". Simulated events only when
-- asked for.
SELECT 'v3' AS pipeline, substr(e.event_type, length('coordinator.') + 1) AS outcome,
       COALESCE(e.context->>'reason', '') AS reason,
       GROUPING(r.slug) = 1 AS total, r.slug AS restaurant, count(*) AS events,
       avg((e.context->>'delay_ms')::numeric) AS mean_delay_ms
FROM observability_events e LEFT JOIN restaurants r ON r.id = e.restaurant_id
WHERE e.source = 'assignment.coordinator' AND e.created_at >= %(since)s
  AND e.event_type IN ('coordinator.confirmed', 'coordinator.retry', 'coordinator.manual_review',
                       'coordinator.noop', 'coordinator.error')
  AND (%(restaurant_id)s::uuid IS NULL OR e.restaurant_id = %(restaurant_id)s::uuid)
  AND (%(include_simulated)s OR NOT e.simulated)
GROUP BY GROUPING SETS ((e.event_type, COALESCE(e.context->>'reason', '')),
                        (e.event_type, COALESCE(e.context->>'reason', ''), r.slug))
UNION ALL
SELECT 'legacy', e.context->>'outcome', COALESCE(e.context->>'reason', ''),
       GROUPING(r.slug) = 1, r.slug, count(*), NULL
FROM observability_events e LEFT JOIN restaurants r ON r.id = e.restaurant_id
WHERE e.source = 'auto_assign' AND e.event_type = 'auto_assign.summary'
  AND e.created_at >= %(since)s
  AND (%(restaurant_id)s::uuid IS NULL OR e.restaurant_id = %(restaurant_id)s::uuid)
  AND (%(include_simulated)s OR NOT e.simulated)
GROUP BY GROUPING SETS ((e.context->>'outcome', COALESCE(e.context->>'reason', '')),
                        (e.context->>'outcome', COALESCE(e.context->>'reason', ''), r.slug))
ORDER BY 1, 2, 3, 5;

-- rollout_error_minutes --
-- Distinct minutes with a `coordinator.error` since a moment, for the whole scope (`total`) and
-- per restaurant: counted apart from the outcomes, whose reasons would count one minute twice.
SELECT GROUPING(r.slug) = 1 AS total, r.slug AS restaurant,
       count(DISTINCT date_trunc('minute', e.created_at)) AS minutes
FROM observability_events e LEFT JOIN restaurants r ON r.id = e.restaurant_id
WHERE e.source = 'assignment.coordinator' AND e.event_type = 'coordinator.error'
  AND e.created_at >= %(since)s
  AND (%(restaurant_id)s::uuid IS NULL OR e.restaurant_id = %(restaurant_id)s::uuid)
  AND (%(include_simulated)s OR NOT e.simulated)
GROUP BY GROUPING SETS ((), (r.slug))
ORDER BY 2;

-- rollout_shadow --
-- Shadow comparisons by classification since a moment, for the whole scope (`total`) and per
-- restaurant. Simulated events only when asked for.
SELECT e.context->>'classification' AS classification,
       GROUPING(r.slug) = 1 AS total, r.slug AS restaurant, count(*) AS events
FROM observability_events e LEFT JOIN restaurants r ON r.id = e.restaurant_id
WHERE e.source = 'assignment.coordinator' AND e.event_type = 'coordinator.shadow_compare'
  AND e.created_at >= %(since)s
  AND (%(restaurant_id)s::uuid IS NULL OR e.restaurant_id = %(restaurant_id)s::uuid)
  AND (%(include_simulated)s OR NOT e.simulated)
GROUP BY GROUPING SETS ((e.context->>'classification'), (e.context->>'classification', r.slug))
ORDER BY 1, 3;

-- rollout_lock_contention --
-- Lock-contention events since a moment (they rarely know their restaurant, so no breakdown).
SELECT count(*) AS events FROM observability_events
WHERE source = 'assignment.coordinator' AND event_type = 'coordinator.lock_contention'
  AND created_at >= %(since)s
  AND (%(restaurant_id)s::uuid IS NULL OR restaurant_id = %(restaurant_id)s::uuid)
  AND (%(include_simulated)s OR NOT simulated);
