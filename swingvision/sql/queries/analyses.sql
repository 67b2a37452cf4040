-- Swing analyses: id = <video_id>:<engine_version>, so re-analysis with a new engine adds a row.

-- name: analyses_upsert
INSERT INTO swing_analysis (id, video_id, user_id, analyzed_at, engine_version, overall_score,
                            metrics, events, feedback, details, swing_embedding)
VALUES (:id, :video_id, :user_id, :analyzed_at, :engine_version, :overall_score, :metrics,
        :events, :feedback, :details, :swing_embedding)
ON CONFLICT (id, user_id) DO UPDATE SET
  video_id = excluded.video_id, analyzed_at = excluded.analyzed_at,
  engine_version = excluded.engine_version, overall_score = excluded.overall_score,
  metrics = excluded.metrics, events = excluded.events, feedback = excluded.feedback,
  details = excluded.details, swing_embedding = excluded.swing_embedding

-- name: analyses_latest_for_video
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding
FROM swing_analysis WHERE user_id = :user_id AND video_id = :video_id
ORDER BY analyzed_at DESC, id DESC
LIMIT 1

-- name: analyses_for_player_between
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding
FROM swing_analysis
WHERE user_id = :user_id AND analyzed_at >= :start AND analyzed_at < :end
ORDER BY analyzed_at, id
LIMIT 100000

-- name: analyses_for_video
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding
FROM swing_analysis WHERE user_id = :user_id AND video_id = :video_id
ORDER BY analyzed_at DESC, id DESC
LIMIT 1000

-- name: analyses_delete_for_video
DELETE FROM swing_analysis WHERE user_id = :user_id AND video_id = :video_id

-- name: analyses_for_player_swings_between
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding
FROM swing_analysis
WHERE user_id = :user_id
  AND video_id IN (SELECT id FROM videos
                   WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end)
ORDER BY analyzed_at, id
LIMIT 100000
