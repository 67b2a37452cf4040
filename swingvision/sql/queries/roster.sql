-- The coach's roster: per player, swing count and last swing, and the latest scores.

-- name: roster_video_stats
SELECT user_id, count(*) AS n_swings, max(uploaded_at) AS last_swing_at
FROM videos
WHERE user_id IN (SELECT id FROM users WHERE coach_id = :coach_id)
GROUP BY user_id
LIMIT 100000

-- name: roster_recent_scores
SELECT user_id, overall_score, analyzed_at, rn
FROM (
  SELECT user_id, overall_score, analyzed_at,
         row_number() OVER (PARTITION BY user_id ORDER BY analyzed_at DESC) AS rn
  FROM swing_analysis
  WHERE user_id IN (SELECT id FROM users WHERE coach_id = :coach_id)
    AND overall_score IS NOT NULL
) AS recent
WHERE rn <= 6
ORDER BY user_id, rn
LIMIT 100000
