-- insert_webhook_endpoint --
-- A new endpoint (restaurant_id NULL: every restaurant's events, an admin's endpoint).
INSERT INTO webhook_endpoints (restaurant_id, url, event_types, description, secret, enabled)
VALUES (%(restaurant_id)s, %(url)s, %(event_types)s, %(description)s, %(secret)s, %(enabled)s)
RETURNING id;

-- webhook_endpoints_of --
-- The endpoints of one owner (a restaurant, or NULL for the admin-wide ones), oldest first; the
-- secret is never read here.
SELECT e.id, e.restaurant_id, r.slug AS restaurant_slug, e.url, e.event_types, e.description,
       e.enabled, e.failing_since, e.last_success_at, e.created_at, e.updated_at,
       (SELECT count(*) FROM webhook_deliveries d
        WHERE d.endpoint_id = e.id AND d.status = 'pending') AS pending
FROM webhook_endpoints e LEFT JOIN restaurants r ON r.id = e.restaurant_id
WHERE e.restaurant_id IS NOT DISTINCT FROM %(restaurant_id)s
  AND (%(endpoint_id)s::uuid IS NULL OR e.id = %(endpoint_id)s::uuid)
ORDER BY e.created_at, e.id;

-- update_webhook_endpoint --
-- Change what was given (NULL keeps a field); a re-enabled endpoint is no longer failing.
UPDATE webhook_endpoints
SET url = coalesce(%(url)s, url),
    event_types = coalesce(%(event_types)s, event_types),
    description = coalesce(%(description)s, description),
    enabled = coalesce(%(enabled)s, enabled),
    failing_since = CASE WHEN %(enabled)s::boolean THEN NULL ELSE failing_since END,
    updated_at = now()
WHERE id = %(endpoint_id)s AND restaurant_id IS NOT DISTINCT FROM %(restaurant_id)s
RETURNING id;

-- delete_webhook_endpoint --
-- Delete an endpoint and its delivery log.
DELETE FROM webhook_endpoints
WHERE id = %(endpoint_id)s AND restaurant_id IS NOT DISTINCT FROM %(restaurant_id)s
RETURNING id;

-- webhook_deliveries_of --
-- An endpoint's delivery log, newest event first, optionally of one status.
SELECT id, event_id, event_type, booking_id, event_at, status, attempts, next_attempt_at,
       first_attempt_at, last_attempt_at, last_status_code, last_error, latency_ms, delivered_at
FROM webhook_deliveries
WHERE endpoint_id = %(endpoint_id)s AND (%(status)s::text IS NULL OR status = %(status)s::text)
ORDER BY event_at DESC, id DESC
LIMIT %(limit)s;

-- replay_webhook_deliveries --
-- Send again, now, an endpoint's deliveries of one event or of events in [since, until),
-- whatever became of them; the attempts start counting (and the retry window) afresh.
UPDATE webhook_deliveries
SET status = 'pending', next_attempt_at = now(), leased_until = NULL, attempts = 0,
    first_attempt_at = NULL, delivered_at = NULL
WHERE endpoint_id = %(endpoint_id)s
  AND (%(event_id)s::uuid IS NULL OR event_id = %(event_id)s::uuid)
  AND (%(since)s::timestamptz IS NULL OR event_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR event_at < %(until)s::timestamptz)
RETURNING id;

-- unpublished_outbox --
-- The oldest outbox rows not yet fanned out, each with its booking as it is now (tables, status,
-- slug) and, for a state change, who made it (the history row's actor). Row-locked: the caller
-- marks them.
SELECT o.id, o.event_id, o.topic, o.payload, o.created_at, b.id AS booking_id,
       b.restaurant_id, r.slug AS restaurant_slug, b.ref, b.status, b.party_size, b.start_at,
       coalesce(b.simulated, false) AS simulated,
       coalesce((SELECT array_agg(t.key ORDER BY t.key)
                 FROM allocations a JOIN tables t ON t.id = a.table_id
                 WHERE a.booking_id = b.id AND a.released_at IS NULL), '{}') AS tables,
       (SELECT h.actor FROM booking_assignment_state_history h
        WHERE h.booking_id = b.id AND h.version::text = o.payload->>'version') AS actor
FROM outbox o
LEFT JOIN bookings b ON b.id = o.aggregate_id
LEFT JOIN restaurants r ON r.id = b.restaurant_id
WHERE o.published_at IS NULL
ORDER BY o.id
LIMIT %(limit)s
FOR UPDATE OF o SKIP LOCKED;

-- fan_out_event --
-- One event to every enabled endpoint that wants its type: the restaurant's and the admin-wide.
INSERT INTO webhook_deliveries (endpoint_id, outbox_id, event_id, event_type, booking_id, body,
                                event_at)
SELECT e.id, %(outbox_id)s, %(event_id)s, %(event_type)s, %(booking_id)s, %(body)s, %(event_at)s
FROM webhook_endpoints e
WHERE e.enabled AND %(event_type)s = ANY(e.event_types)
  AND (e.restaurant_id IS NULL OR e.restaurant_id = %(restaurant_id)s)
ON CONFLICT (endpoint_id, event_id) DO NOTHING;

-- mark_outbox_published --
-- These outbox rows were fanned out.
UPDATE outbox SET published_at = now() WHERE id = ANY(%(ids)s::bigint[]);

-- claim_webhook_deliveries --
-- Lease what is due: per endpoint at most `per_endpoint` in flight, and of each booking only its
-- oldest pending event (a booking's events reach an endpoint in order). The caller holds the
-- claim lock, so two relays never lease past an endpoint's limit.
WITH inflight AS (
    SELECT endpoint_id, count(*) AS n FROM webhook_deliveries
    WHERE status = 'pending' AND leased_until > now()
    GROUP BY endpoint_id
), due AS (
    SELECT d.id, d.endpoint_id, d.outbox_id,
           row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.outbox_id) AS place
    FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
    WHERE d.status = 'pending' AND e.enabled AND d.next_attempt_at <= now()
      AND (d.leased_until IS NULL OR d.leased_until <= now())
      AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries p
          WHERE p.endpoint_id = d.endpoint_id AND p.booking_id = d.booking_id
            AND p.status = 'pending' AND p.outbox_id < d.outbox_id)
), chosen AS (
    SELECT due.id FROM due LEFT JOIN inflight i USING (endpoint_id)
    WHERE due.place <= %(per_endpoint)s - coalesce(i.n, 0)
    ORDER BY due.outbox_id
    LIMIT %(limit)s
)
UPDATE webhook_deliveries d
SET leased_until = now() + %(lease)s, attempts = d.attempts + 1, last_attempt_at = now(),
    first_attempt_at = coalesce(d.first_attempt_at, now())
FROM chosen, webhook_endpoints e
WHERE d.id = chosen.id AND e.id = d.endpoint_id
RETURNING d.id, d.endpoint_id, d.event_id, d.event_type, d.booking_id, d.body, d.attempts,
          d.first_attempt_at, e.url, e.secret, e.restaurant_id;

-- webhook_delivered --
-- A delivery the receiver acknowledged (2xx); its endpoint is not failing any more.
WITH done AS (
    UPDATE webhook_deliveries
    SET status = 'delivered', delivered_at = now(), leased_until = NULL,
        last_status_code = %(status_code)s, last_error = NULL, latency_ms = %(latency_ms)s
    WHERE id = %(delivery_id)s
    RETURNING endpoint_id
)
UPDATE webhook_endpoints e SET failing_since = NULL, last_success_at = now()
FROM done WHERE e.id = done.endpoint_id;

-- webhook_retry --
-- A failed attempt with another to come at `next_attempt_at` (unless a newer lease took over).
UPDATE webhook_deliveries
SET next_attempt_at = %(next_attempt_at)s, leased_until = NULL,
    last_status_code = %(status_code)s, last_error = %(error)s, latency_ms = %(latency_ms)s
WHERE id = %(delivery_id)s AND status = 'pending' AND attempts = %(attempts)s;

-- webhook_given_up --
-- The last attempt of the window failed: the delivery is `failed` and its endpoint failing
-- (`newly` when it was not already, so the caller tells once).
WITH failed AS (
    UPDATE webhook_deliveries
    SET status = 'failed', leased_until = NULL,
        last_status_code = %(status_code)s, last_error = %(error)s, latency_ms = %(latency_ms)s
    WHERE id = %(delivery_id)s AND status = 'pending' AND attempts = %(attempts)s
    RETURNING endpoint_id
), before AS (
    SELECT e.id, e.failing_since IS NULL AS newly
    FROM webhook_endpoints e JOIN failed f ON f.endpoint_id = e.id
), marked AS (
    UPDATE webhook_endpoints e SET failing_since = coalesce(e.failing_since, now())
    FROM before WHERE e.id = before.id
    RETURNING e.id
)
SELECT before.newly FROM before JOIN marked ON marked.id = before.id;
