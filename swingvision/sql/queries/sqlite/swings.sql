-- The player page's status filter. `+status` keeps SQLite on videos(user_id, uploaded_at): on the
-- bare column its planner prefers videos(status, uploaded_at), which walks every player's swings
-- with that status (tens of milliseconds at 20,000 swings, growing with the table).

-- name: swings_page_for_player_with_status
-- swings_page_for_player with a status filter; `+status` keeps the planner on
-- videos(user_id, uploaded_at) (see above).
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos
WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end AND +status = :status
ORDER BY uploaded_at DESC, id DESC
LIMIT :limit OFFSET :offset

-- name: swings_count_for_player_with_status
-- How many swings the status-filtered list has; `+status` as above.
SELECT count(*) FROM videos
WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end AND +status = :status
