-- The player page's status filter (the SQLite twin keeps the planner on the player's index).

-- name: swings_page_for_player_with_status
-- swings_page_for_player with a status filter on the bare column: CrateDB has no `+` hint and
-- needs none here, the query is routed to the player's shard by user_id.
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos
WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end AND status = :status
ORDER BY uploaded_at DESC, id DESC
LIMIT :limit OFFSET :offset

-- name: swings_count_for_player_with_status
-- How many swings the status-filtered list has (routed by user_id).
SELECT count(*) FROM videos
WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end AND status = :status
