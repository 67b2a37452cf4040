-- Video lessons (issue #17, migration 0009). A player's lessons are read by user_id (one shard).

-- name: lessons_insert
INSERT INTO lessons (id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type,
  size_bytes, status, metadata, created_at, updated_at, watched_at)
VALUES (:id, :user_id, :coach_id, :video_ids, :title, :duration_s, :blob_ref, :content_type,
  :size_bytes, :status, :metadata, :created_at, :updated_at, NULL)

-- name: lessons_get
SELECT id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type, size_bytes,
  status, metadata, created_at, updated_at, watched_at
FROM lessons WHERE id = :id AND user_id = :user_id

-- name: lessons_for_player
SELECT id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type, size_bytes,
  status, metadata, created_at, updated_at, watched_at
FROM lessons WHERE user_id = :user_id
ORDER BY created_at DESC, id DESC
LIMIT :limit OFFSET :offset

-- name: lessons_count_for_player
SELECT count(*) FROM lessons WHERE user_id = :user_id

-- name: lessons_count_new_for_player
SELECT count(*) FROM lessons WHERE user_id = :user_id AND watched_at IS NULL

-- name: lessons_with_status
SELECT id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type, size_bytes,
  status, metadata, created_at, updated_at, watched_at
FROM lessons WHERE status = :status
ORDER BY created_at
LIMIT :limit

-- name: lessons_set_status
-- Moves only from the expected status: two workers never take the same lesson.
UPDATE lessons SET status = :status, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id AND status = :expected

-- name: lessons_update
UPDATE lessons SET title = :title, duration_s = :duration_s, status = :status,
  metadata = :metadata, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id

-- name: lessons_mark_watched
-- Only the first play counts: the time the player first watched stays.
UPDATE lessons SET watched_at = :watched_at
WHERE id = :id AND user_id = :user_id AND watched_at IS NULL

-- name: lessons_delete
DELETE FROM lessons WHERE id = :id AND user_id = :user_id
