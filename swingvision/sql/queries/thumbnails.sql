-- Posters: the swing whose picture stands for each player on the coach's roster.

-- The newest analysed swing of each of a coach's players (expired ones too: their posters are
-- skeleton drawings); the newest by recording time, like the roster's "last swing".
-- name: roster_poster_videos
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM (
  SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref,
         row_number() OVER (PARTITION BY user_id ORDER BY uploaded_at DESC, id DESC) AS rn
  FROM videos
  WHERE user_id IN (SELECT id FROM users WHERE coach_id = :coach_id)
    AND status IN ('analyzed', 'expired')
) AS newest
WHERE rn = 1
LIMIT 100000
