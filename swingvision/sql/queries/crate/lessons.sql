-- name: lessons_for_swing
-- The lessons that cover one swing.
SELECT id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type, size_bytes,
  status, metadata, created_at, updated_at, watched_at
FROM lessons
WHERE user_id = :user_id AND :video_id = ANY(video_ids)
ORDER BY created_at DESC, id DESC
LIMIT :limit
