-- Per-player roster summaries (migration 0006).

-- name: summary_upsert
-- Insert or overwrite one player's roster summary (Summaries.refresh, on every write that can
-- change what the roster shows).
INSERT INTO player_summary (user_id, n_swings, last_swing_at, recent_scores, poster_video_id,
                            updated_at, score_view)
VALUES (:user_id, :n_swings, :last_swing_at, :recent_scores, :poster_video_id, :updated_at,
        :score_view)
ON CONFLICT (user_id) DO UPDATE SET
  n_swings = excluded.n_swings, last_swing_at = excluded.last_swing_at,
  recent_scores = excluded.recent_scores, poster_video_id = excluded.poster_video_id,
  updated_at = excluded.updated_at, score_view = excluded.score_view

-- name: summaries_for_coach
-- The summaries of every player of a coach: one read for the whole roster.
SELECT user_id, n_swings, last_swing_at, recent_scores, poster_video_id, updated_at, score_view
FROM player_summary
WHERE user_id IN (SELECT id FROM users WHERE coach_id = :coach_id)
LIMIT 100000

-- name: summary_delete
-- Delete one player's summary. Not used by the app: tests use it to check that
-- Summaries.rebuild restores the rows of a load that bypassed the managers.
DELETE FROM player_summary WHERE user_id = :user_id

-- name: summary_swing_stats
-- A player's swing count and newest upload time, for their summary.
-- SQLite uses videos(user_id, uploaded_at).
SELECT count(*) AS n_swings, max(uploaded_at) AS last_swing_at
FROM videos WHERE user_id = :user_id

-- name: summary_recent_scores
-- The newest analyses of the player's most recently recorded swings (several per swing when it
-- was re-analysed: the caller keeps the newest one per swing), with the swing's metadata (its
-- camera view: the roster's scores are of one view).
SELECT a.video_id AS video_id, a.overall_score AS overall_score, v.metadata AS metadata
FROM swing_analysis a
JOIN videos v ON v.id = a.video_id AND v.user_id = a.user_id
WHERE a.user_id = :user_id AND v.user_id = :user_id AND a.overall_score IS NOT NULL
ORDER BY v.uploaded_at DESC, v.id DESC, a.analyzed_at DESC, a.id DESC
LIMIT 120

-- name: summary_poster_video
-- The player's newest analysed swing (status analyzed, or expired: raw video purged, analysis
-- kept): the roster row's poster.
SELECT id FROM videos
WHERE user_id = :user_id AND status IN ('analyzed', 'expired')
ORDER BY uploaded_at DESC, id DESC
LIMIT 1

-- name: summary_poster_videos_for_coach
-- One row per player of the coach: the video their summary names as the poster. A join from the
-- summaries, not `id IN (...) AND user_id IN (...)`, which SQLite plans as every poster id probed
-- with every player id (quadratic in the roster's size).
SELECT v.id, v.user_id, v.filename, v.uploaded_at, v.updated_at, v.duration_s, v.status,
       v.metadata, v.blob_ref
FROM users u
JOIN player_summary s ON s.user_id = u.id
JOIN videos v ON v.id = s.poster_video_id AND v.user_id = s.user_id
WHERE u.coach_id = :coach_id
LIMIT 100000
