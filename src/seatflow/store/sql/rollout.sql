-- rollout_outcomes --
-- Terminal outcomes per pipeline since a moment: V3 from coordinator terminal events, legacy from
-- its one summary per run. Counted by event type / explicit outcome, never by "has no reason".
SELECT 'v3' AS pipeline, substr(event_type, length('coordinator.') + 1) AS outcome,
       COALESCE(context->>'reason', '') AS reason, count(*) AS events,
       avg((context->>'delay_ms')::numeric) AS mean_delay_ms,
       count(DISTINCT date_trunc('minute', created_at)) AS minutes_seen
FROM observability_events
WHERE source = 'assignment.coordinator' AND created_at >= %(since)s
  AND event_type IN ('coordinator.confirmed', 'coordinator.retry', 'coordinator.manual_review',
                     'coordinator.noop', 'coordinator.error')
  AND (%(restaurant_id)s::uuid IS NULL OR restaurant_id = %(restaurant_id)s::uuid)
GROUP BY 1, 2, 3
UNION ALL
SELECT 'legacy', context->>'outcome', COALESCE(context->>'reason', ''), count(*),
       NULL, count(DISTINCT date_trunc('minute', created_at))
FROM observability_events
WHERE source = 'auto_assign' AND event_type = 'auto_assign.summary' AND created_at >= %(since)s
  AND (%(restaurant_id)s::uuid IS NULL OR restaurant_id = %(restaurant_id)s::uuid)
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;

-- rollout_shadow --
-- Shadow comparisons by classification since a moment.
SELECT context->>'classification' AS classification, count(*) AS events
FROM observability_events
WHERE source = 'assignment.coordinator' AND event_type = 'coordinator.shadow_compare'
  AND created_at >= %(since)s
  AND (%(restaurant_id)s::uuid IS NULL OR restaurant_id = %(restaurant_id)s::uuid)
GROUP BY 1 ORDER BY 1;

-- rollout_lock_contention --
-- Lock-contention events since a moment.
SELECT count(*) AS events FROM observability_events
WHERE source = 'assignment.coordinator' AND event_type = 'coordinator.lock_contention'
  AND created_at >= %(since)s
  AND (%(restaurant_id)s::uuid IS NULL OR restaurant_id = %(restaurant_id)s::uuid);
