-- The gateway's own query: is the database there?

-- name: ping
SELECT 1
