-- Sessions, stored through the gateway so logout ends a session on the server.

-- name: sessions_get
SELECT session_key, user_id, data, expires_at
FROM sessions WHERE session_key = :session_key

-- name: sessions_insert
INSERT INTO sessions (session_key, user_id, data, expires_at)
VALUES (:session_key, :user_id, :data, :expires_at)

-- name: sessions_update
UPDATE sessions SET user_id = :user_id, data = :data, expires_at = :expires_at
WHERE session_key = :session_key

-- name: sessions_delete
DELETE FROM sessions WHERE session_key = :session_key

-- name: sessions_delete_for_user
DELETE FROM sessions WHERE user_id = :user_id

-- name: sessions_delete_expired
DELETE FROM sessions WHERE expires_at < :now
