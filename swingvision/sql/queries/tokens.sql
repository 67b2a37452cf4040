-- Personal API tokens (ApiTokens manager): stored as hashes, revocable, listed per user.

-- name: api_tokens_insert
-- A new token (its hash only, never the token), written before its api_token_hashes row so a
-- crash between the two leaves nothing that authenticates.
INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at, revoked_at)
VALUES (:id, :user_id, :name, :token_hash, :created_at, :last_used_at, :revoked_at)

-- name: api_tokens_get
-- One token by primary key (id and the owner's user_id): a real-time Get on CrateDB, so a
-- revoked token is refused at once.
SELECT id, user_id, name, token_hash, created_at, last_used_at, revoked_at
FROM api_tokens WHERE id = :id AND user_id = :user_id

-- name: api_tokens_for_user
-- The user's own tokens, newest first, revoked ones included (the tokens page).
SELECT id, user_id, name, token_hash, created_at, last_used_at, revoked_at
FROM api_tokens WHERE user_id = :user_id
ORDER BY created_at DESC, id DESC
LIMIT :limit

-- name: api_tokens_active_for_user
-- A user's unrevoked tokens: what end_all revokes when their sessions end (a password change or
-- reset, deactivation). On CrateDB as of the last refresh; every revoke refreshes api_tokens.
SELECT id, user_id, name, token_hash, created_at, last_used_at, revoked_at
FROM api_tokens WHERE user_id = :user_id AND revoked_at IS NULL
ORDER BY created_at DESC, id DESC
LIMIT 1000

-- name: api_tokens_count_active
-- How many unrevoked tokens a user has (creation is capped at MAX_ACTIVE_TOKENS).
-- On CrateDB a count as of the last refresh; create and revoke refresh api_tokens.
SELECT count(*) FROM api_tokens WHERE user_id = :user_id AND revoked_at IS NULL

-- name: api_tokens_revoke
-- Stamp revoked_at once (a revoked token keeps its first time); the caller then deletes the
-- token's api_token_hashes row.
UPDATE api_tokens SET revoked_at = :revoked_at
WHERE id = :id AND user_id = :user_id AND revoked_at IS NULL

-- name: api_tokens_touch
-- Record a token's last use; the caller writes it at most once a minute per token.
UPDATE api_tokens SET last_used_at = :last_used_at WHERE id = :id AND user_id = :user_id

-- name: api_tokens_delete
-- Delete one token row by primary key. Not used by the app: a revoked token keeps its row.
DELETE FROM api_tokens WHERE id = :id AND user_id = :user_id

-- name: api_token_hashes_insert
-- The lookup row, hash -> token and owner. Its primary key is the hash, so finding a presented
-- token is a real-time Get on CrateDB.
INSERT INTO api_token_hashes (token_hash, token_id, user_id)
VALUES (:token_hash, :token_id, :user_id)

-- name: api_token_hashes_get
-- The token and owner of a presented token's SHA-256 hash (a primary-key read).
SELECT token_hash, token_id, user_id FROM api_token_hashes WHERE token_hash = :token_hash

-- name: api_token_hashes_delete
-- Remove a revoked token's lookup row, so the token authenticates nobody.
DELETE FROM api_token_hashes WHERE token_hash = :token_hash
