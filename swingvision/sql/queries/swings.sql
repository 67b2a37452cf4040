-- A player's swings (Swings manager): the swing list (filtered, paged) with each swing's score
-- and the points of the progress charts. swings_page_for_player_with_status and
-- swings_count_for_player_with_status differ per dialect: see queries/<dialect>/swings.sql.

-- name: swings_page_for_player
-- A page of a player's swings uploaded in [start, end), newest first: the swing list without
-- a status filter. SQLite uses videos(user_id, uploaded_at).
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos
WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end
ORDER BY uploaded_at DESC, id DESC
LIMIT :limit OFFSET :offset

-- name: swings_count_for_player
-- How many swings the list without a status filter has (its page count).
SELECT count(*) FROM videos
WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end

-- name: swing_scores_for_player_between
-- The scores of the swings recorded in [start, end): one small row per analysis (a video
-- re-analysed by several engine versions has several; the manager keeps the newest).
SELECT video_id, id AS analysis_id, analyzed_at, overall_score
FROM swing_analysis
WHERE user_id = :user_id
  AND video_id IN (SELECT id FROM videos
                   WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end)
ORDER BY analyzed_at, id
LIMIT 100000
