-- Sessions, stored through the gateway so logout ends a session on the server.

-- name: sessions_get
-- One session by key: a real-time Get on CrateDB, so a fresh login works on the next request.
-- The manager ignores an expired one.
SELECT session_key, user_id, data, expires_at
FROM sessions WHERE session_key = :session_key

-- name: sessions_insert
-- A new session; a key that exists already raises Conflict (Sessions.insert returns False).
INSERT INTO sessions (session_key, user_id, data, expires_at)
VALUES (:session_key, :user_id, :data, :expires_at)

-- name: sessions_update
-- Save a session's data and expiry by key; 0 rows when it was deleted meanwhile (logout).
UPDATE sessions SET user_id = :user_id, data = :data, expires_at = :expires_at
WHERE session_key = :session_key

-- name: sessions_delete
-- Logout: one session by key.
DELETE FROM sessions WHERE session_key = :session_key

-- name: sessions_delete_for_user
-- Every session of a user (password change, deactivation). A delete by user_id: on CrateDB the
-- caller refreshes sessions first, or a session made a moment ago would survive.
DELETE FROM sessions WHERE user_id = :user_id

-- name: sessions_delete_expired
-- Sessions past their expiry (cleanup; SQLite uses sessions(expires_at)). On CrateDB the caller
-- refreshes sessions first.
DELETE FROM sessions WHERE expires_at < :now
