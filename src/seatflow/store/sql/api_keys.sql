-- insert_api_key --
-- A new key: its public prefix and the SHA-256 of its secret (the secret itself is never stored).
INSERT INTO api_keys (prefix, key_hash, restaurant_id, is_admin)
VALUES (%(prefix)s, %(key_hash)s, %(restaurant_id)s, %(is_admin)s)
RETURNING id, prefix, restaurant_id, is_admin, created_at, revoked_at,
          (SELECT slug FROM restaurants r WHERE r.id = restaurant_id) AS restaurant_slug;

-- api_key_by_prefix --
-- The unrevoked key with this prefix, for authenticating a request.
SELECT k.id, k.prefix, k.key_hash, k.restaurant_id, k.is_admin, k.created_at, k.revoked_at,
       r.slug AS restaurant_slug
FROM api_keys k LEFT JOIN restaurants r ON r.id = k.restaurant_id
WHERE k.prefix = %(prefix)s AND k.revoked_at IS NULL;

-- revoke_api_key --
-- Revoke a key by prefix; the row stays for the audit trail. Revoking twice changes nothing.
UPDATE api_keys SET revoked_at = now()
WHERE prefix = %(prefix)s AND revoked_at IS NULL
RETURNING id;

-- list_api_keys --
-- Every key, newest first, without hashes.
SELECT k.id, k.prefix, k.restaurant_id, k.is_admin, k.created_at, k.revoked_at,
       r.slug AS restaurant_slug
FROM api_keys k LEFT JOIN restaurants r ON r.id = k.restaurant_id
ORDER BY k.created_at DESC, k.prefix;
