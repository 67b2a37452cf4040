-- Per-player roster summaries (migration 0006).

-- name: summary_upsert
INSERT INTO player_summary (user_id, n_swings, last_swing_at, recent_scores, poster_video_id,
                            updated_at)
VALUES (:user_id, :n_swings, :last_swing_at, :recent_scores, :poster_video_id, :updated_at)
ON CONFLICT (user_id) DO UPDATE SET
  n_swings = excluded.n_swings, last_swing_at = excluded.last_swing_at,
  recent_scores = excluded.recent_scores, poster_video_id = excluded.poster_video_id,
  updated_at = excluded.updated_at

-- name: summaries_for_coach
SELECT user_id, n_swings, last_swing_at, recent_scores, poster_video_id, updated_at
FROM player_summary
WHERE user_id IN (SELECT id FROM users WHERE coach_id = :coach_id)
LIMIT 100000

-- name: summary_delete
DELETE FROM player_summary WHERE user_id = :user_id

-- name: summary_swing_stats
SELECT count(*) AS n_swings, max(uploaded_at) AS last_swing_at
FROM videos WHERE user_id = :user_id

-- The newest analyses of the player's most recently recorded swings (several per swing when it
-- was re-analysed: the caller keeps the newest one per swing).
-- name: summary_recent_scores
SELECT a.video_id AS video_id, a.overall_score AS overall_score
FROM swing_analysis a
JOIN videos v ON v.id = a.video_id AND v.user_id = a.user_id
WHERE a.user_id = :user_id AND v.user_id = :user_id AND a.overall_score IS NOT NULL
ORDER BY v.uploaded_at DESC, v.id DESC, a.analyzed_at DESC, a.id DESC
LIMIT 60

-- name: summary_poster_video
SELECT id FROM videos
WHERE user_id = :user_id AND status IN ('analyzed', 'expired')
ORDER BY uploaded_at DESC, id DESC
LIMIT 1

-- name: summary_poster_videos_for_coach
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos
WHERE user_id IN (SELECT id FROM users WHERE coach_id = :coach_id)
  AND id IN (SELECT poster_video_id FROM player_summary
             WHERE user_id IN (SELECT id FROM users WHERE coach_id = :coach_id))
LIMIT 100000
