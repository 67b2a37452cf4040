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

-- name: swing_points_for_player_between
-- Per analysed swing recorded in [start, end): its day, score, metric values and, of its details,
-- each metric's status (which values count: swing_facts.counted_metrics), nothing else: the
-- whole details of a year of swings (drawings, corrections, every metric's band and reason) took
-- longer to decode than the rest of the page. No embedding: the progress charts need only these.
SELECT a.video_id AS video_id, v.uploaded_at AS uploaded_at, a.analyzed_at AS analyzed_at,
       a.overall_score AS overall_score, a.metrics AS metrics,
       json_object('metrics', json((SELECT json_group_object(m.key, json_object(
           'status', json_extract(m.value, '$.status')))
         FROM json_each(a.details, '$.metrics') m))) AS details,
       v.metadata AS metadata
FROM swing_analysis a
JOIN videos v ON v.id = a.video_id AND v.user_id = a.user_id
WHERE a.user_id = :user_id AND v.user_id = :user_id
  AND v.uploaded_at >= :start AND v.uploaded_at < :end
ORDER BY v.uploaded_at, a.video_id, a.analyzed_at
LIMIT 100000
