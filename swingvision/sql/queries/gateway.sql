-- The gateway's own query: is the database there?

-- name: ping
-- Is the database there? Database.ping runs it for the /healthz check (503 when it fails).
SELECT 1
