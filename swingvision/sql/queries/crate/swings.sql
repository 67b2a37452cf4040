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

-- name: swing_points_for_player_between
-- Per analysed swing recorded in [start, end): its day, score, metric values and details (each
-- metric's status says which values count: swing_facts.counted_metrics). The whole details:
-- CrateDB refuses a subscript such as details['metrics'] until some row has that key (the
-- SQLite twin trims details to the statuses). No embedding: the progress charts need only these.
SELECT a.video_id AS video_id, v.uploaded_at AS uploaded_at, a.analyzed_at AS analyzed_at,
       a.overall_score AS overall_score, a.metrics AS metrics, a.details AS details,
       v.metadata AS metadata
FROM swing_analysis a
JOIN videos v ON v.id = a.video_id AND v.user_id = a.user_id
WHERE a.user_id = :user_id AND v.user_id = :user_id
  AND v.uploaded_at >= :start AND v.uploaded_at < :end
ORDER BY v.uploaded_at, a.video_id, a.analyzed_at
LIMIT 100000
