-- Video lessons (issue #17, migration 0009). A player's lessons are read by user_id (one shard).

-- name: lessons_insert
-- A new lesson, status 'uploaded', not watched yet; Lessons.create refreshes lessons after it.
INSERT INTO lessons (id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type,
  size_bytes, status, metadata, created_at, updated_at, watched_at)
VALUES (:id, :user_id, :coach_id, :video_ids, :title, :duration_s, :blob_ref, :content_type,
  :size_bytes, :status, :metadata, :created_at, :updated_at, NULL)

-- name: lessons_get
-- One lesson by primary key (id and the player's user_id): a real-time Get on CrateDB.
SELECT id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type, size_bytes,
  status, metadata, created_at, updated_at, watched_at
FROM lessons WHERE id = :id AND user_id = :user_id

-- name: lessons_for_player
-- A page of a player's lessons, newest first (the manager puts unwatched ones first).
-- Routed by user_id; SQLite uses lessons(user_id, created_at).
SELECT id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type, size_bytes,
  status, metadata, created_at, updated_at, watched_at
FROM lessons WHERE user_id = :user_id
ORDER BY created_at DESC, id DESC
LIMIT :limit OFFSET :offset

-- name: lessons_count_for_player
-- How many lessons a player has (the lesson list's total).
SELECT count(*) FROM lessons WHERE user_id = :user_id

-- name: lessons_count_new_for_player
-- How many of a player's lessons the player has not played yet (the "new" count).
SELECT count(*) FROM lessons WHERE user_id = :user_id AND watched_at IS NULL

-- name: lessons_with_status
-- The lesson worker's queue: lessons in one status, oldest first, across every player
-- (SQLite: lessons(status, created_at); CrateDB: every shard, as of the last refresh).
SELECT id, user_id, coach_id, video_ids, title, duration_s, blob_ref, content_type, size_bytes,
  status, metadata, created_at, updated_at, watched_at
FROM lessons WHERE status = :status
ORDER BY created_at
LIMIT :limit

-- name: lessons_set_status
-- Move a lesson's status only from :expected (the worker's claim): atomic in SQLite. CrateDB
-- replaces it with a write at the version read first (crate/guarded.sql).
UPDATE lessons SET status = :status, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id AND status = :expected

-- name: lessons_update
-- Rewrite a lesson's title, duration, status and metadata by primary key (the worker, when a
-- lesson is ready or failed); Lessons.update refreshes lessons after it.
UPDATE lessons SET title = :title, duration_s = :duration_s, status = :status,
  metadata = :metadata, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id

-- name: lessons_mark_watched
-- Only the first play counts: the time the player first watched stays.
UPDATE lessons SET watched_at = :watched_at
WHERE id = :id AND user_id = :user_id AND watched_at IS NULL

-- name: lessons_delete
-- Delete one lesson row by primary key (the caller deletes its blobs).
DELETE FROM lessons WHERE id = :id AND user_id = :user_id
