-- insert_events --
-- One batch of telemetry in one statement: parallel arrays, one element per event, unnested.
INSERT INTO observability_events
    (created_at, source, event_type, severity, booking_id, restaurant_id, context, simulated)
SELECT * FROM unnest(
    %(created_at)s::timestamptz[], %(source)s::text[], %(event_type)s::text[],
    %(severity)s::text[], %(booking_id)s::uuid[], %(restaurant_id)s::uuid[],
    %(context)s::jsonb[], %(simulated)s::boolean[]
);
