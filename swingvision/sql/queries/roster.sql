-- The coach's roster: per player, swing count and last swing, and the latest scores.

-- name: roster_video_stats
SELECT user_id, count(*) AS n_swings, max(uploaded_at) AS last_swing_at
FROM videos
WHERE user_id IN (SELECT id FROM users WHERE coach_id = :coach_id)
GROUP BY user_id
LIMIT 100000

-- The scores of each player's most recent swings, newest swing first (rn = 1 is the latest
-- score, the next ones make its trend). Ordered by when the swing was recorded, not analysed, and
-- only the newest analysis of each swing counts, so re-analysing old swings changes neither.
-- name: roster_recent_scores
SELECT user_id, overall_score, rn
FROM (
  SELECT newest.user_id AS user_id, newest.overall_score AS overall_score,
         row_number() OVER (PARTITION BY newest.user_id
                            ORDER BY newest.uploaded_at DESC, newest.video_id DESC) AS rn
  FROM (
    SELECT a.user_id AS user_id, a.video_id AS video_id, a.overall_score AS overall_score,
           v.uploaded_at AS uploaded_at,
           row_number() OVER (PARTITION BY a.video_id
                              ORDER BY a.analyzed_at DESC, a.id DESC) AS rv
    FROM swing_analysis a
    JOIN videos v ON v.id = a.video_id AND v.user_id = a.user_id
    WHERE a.user_id IN (SELECT id FROM users WHERE coach_id = :coach_id)
  ) AS newest
  WHERE newest.rv = 1 AND newest.overall_score IS NOT NULL
) AS recent
WHERE rn <= 6
ORDER BY user_id, rn
LIMIT 100000
