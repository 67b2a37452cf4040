-- name: lessons_for_swing
-- The lessons that cover one swing (video_ids is a JSON array here).
SELECT id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type, size_bytes,
  status, metadata, created_at, updated_at, watched_at
FROM lessons
WHERE user_id = :user_id AND EXISTS (SELECT 1 FROM json_each(lessons.video_ids) WHERE value = :video_id)
ORDER BY created_at DESC, id DESC
LIMIT :limit
