-- rollout_outcome_series --
-- Terminal outcomes per time bucket, pipeline and outcome (V3 coordinator terminals, legacy run
-- summaries), with the median and 95th percentile decision time; the rows with a NULL outcome
-- are each bucket's and pipeline's all-outcome latency (GROUPING SETS: one pass).
WITH terminal AS (
  SELECT e.created_at, 'v3' AS pipeline, substr(e.event_type, length('coordinator.') + 1) AS outcome,
         (e.context->>'duration_ms')::float8 AS duration_ms
  FROM observability_events e
  WHERE e.source = 'assignment.coordinator' AND e.created_at >= %(since)s
    AND e.event_type IN ('coordinator.confirmed', 'coordinator.retry', 'coordinator.manual_review',
                         'coordinator.noop', 'coordinator.error')
    AND (%(restaurant_id)s::uuid IS NULL OR e.restaurant_id = %(restaurant_id)s::uuid)
    AND (%(include_simulated)s OR NOT e.simulated)
  UNION ALL
  SELECT e.created_at, 'legacy', COALESCE(e.context->>'outcome', 'unknown'),
         (e.context->>'duration_ms')::float8
  FROM observability_events e
  WHERE e.source = 'auto_assign' AND e.event_type = 'auto_assign.summary'
    AND e.created_at >= %(since)s
    AND (%(restaurant_id)s::uuid IS NULL OR e.restaurant_id = %(restaurant_id)s::uuid)
    AND (%(include_simulated)s OR NOT e.simulated)
)
SELECT date_bin(%(bucket)s::interval, created_at, %(since)s) AS bucket, pipeline, outcome,
       count(*) AS events,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms
FROM terminal
GROUP BY GROUPING SETS ((1, pipeline, outcome), (1, pipeline))
ORDER BY 1, 2, 3 NULLS FIRST;

-- rollout_shadow_series --
-- Shadow comparisons per time bucket and classification.
SELECT date_bin(%(bucket)s::interval, e.created_at, %(since)s) AS bucket,
       e.context->>'classification' AS classification, count(*) AS events
FROM observability_events e
WHERE e.source = 'assignment.coordinator' AND e.event_type = 'coordinator.shadow_compare'
  AND e.created_at >= %(since)s
  AND (%(restaurant_id)s::uuid IS NULL OR e.restaurant_id = %(restaurant_id)s::uuid)
  AND (%(include_simulated)s OR NOT e.simulated)
GROUP BY 1, 2
ORDER BY 1, 2;

-- rollout_restaurant_series --
-- V3's decided outcomes per time bucket and restaurant (confirmed, manual review, error: the
-- success rate's denominator, as in the gate).
SELECT date_bin(%(bucket)s::interval, e.created_at, %(since)s) AS bucket,
       COALESCE(r.slug, '(unknown)') AS restaurant,
       count(*) FILTER (WHERE e.event_type = 'coordinator.confirmed') AS confirmed,
       count(*) AS decided
FROM observability_events e LEFT JOIN restaurants r ON r.id = e.restaurant_id
WHERE e.source = 'assignment.coordinator' AND e.created_at >= %(since)s
  AND e.event_type IN ('coordinator.confirmed', 'coordinator.manual_review', 'coordinator.error')
  AND (%(restaurant_id)s::uuid IS NULL OR e.restaurant_id = %(restaurant_id)s::uuid)
  AND (%(include_simulated)s OR NOT e.simulated)
GROUP BY 1, 2
ORDER BY 1, 2;
