-- Personal API tokens (ApiTokens manager): stored as hashes, revocable, listed per user.

-- name: api_tokens_insert
INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at, revoked_at)
VALUES (:id, :user_id, :name, :token_hash, :created_at, :last_used_at, :revoked_at)

-- name: api_tokens_get
SELECT id, user_id, name, token_hash, created_at, last_used_at, revoked_at
FROM api_tokens WHERE id = :id AND user_id = :user_id

-- name: api_tokens_for_user
SELECT id, user_id, name, token_hash, created_at, last_used_at, revoked_at
FROM api_tokens WHERE user_id = :user_id
ORDER BY created_at DESC, id DESC
LIMIT :limit

-- name: api_tokens_count_active
SELECT count(*) FROM api_tokens WHERE user_id = :user_id AND revoked_at IS NULL

-- name: api_tokens_revoke
UPDATE api_tokens SET revoked_at = :revoked_at
WHERE id = :id AND user_id = :user_id AND revoked_at IS NULL

-- name: api_tokens_touch
UPDATE api_tokens SET last_used_at = :last_used_at WHERE id = :id AND user_id = :user_id

-- name: api_tokens_delete
DELETE FROM api_tokens WHERE id = :id AND user_id = :user_id

-- name: api_token_hashes_insert
INSERT INTO api_token_hashes (token_hash, token_id, user_id)
VALUES (:token_hash, :token_id, :user_id)

-- name: api_token_hashes_get
SELECT token_hash, token_id, user_id FROM api_token_hashes WHERE token_hash = :token_hash

-- name: api_token_hashes_delete
DELETE FROM api_token_hashes WHERE token_hash = :token_hash
