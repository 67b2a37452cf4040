-- Videos: a player's swings. Status moves only with a condition on the current status.

-- name: videos_insert
INSERT INTO videos (id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata,
                    blob_ref)
VALUES (:id, :user_id, :filename, :uploaded_at, :updated_at, :duration_s, :status, :metadata,
        :blob_ref)

-- name: videos_get
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE id = :id AND user_id = :user_id

-- name: videos_for_player
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE user_id = :user_id
ORDER BY uploaded_at DESC, id DESC
LIMIT :limit OFFSET :offset

-- name: videos_count_for_player
SELECT count(*) FROM videos WHERE user_id = :user_id

-- name: videos_with_status
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE status = :status
ORDER BY uploaded_at, id
LIMIT :limit

-- name: videos_set_status
UPDATE videos SET status = :status, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id AND status = :expected

-- name: videos_update
UPDATE videos SET filename = :filename, duration_s = :duration_s, status = :status,
                  metadata = :metadata, blob_ref = :blob_ref, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id

-- name: videos_uploaded_before
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE uploaded_at < :before AND blob_ref IS NOT NULL
ORDER BY uploaded_at, id
LIMIT :limit

-- name: videos_delete
DELETE FROM videos WHERE id = :id AND user_id = :user_id

-- name: videos_for_player_between
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end
ORDER BY uploaded_at, id
LIMIT 100000

-- name: videos_all
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos
ORDER BY uploaded_at, id
LIMIT :limit OFFSET :offset

-- name: videos_by_id
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE id = :id
LIMIT 1

-- name: videos_update_if_status
UPDATE videos SET filename = :filename, duration_s = :duration_s, status = :status,
                  metadata = :metadata, blob_ref = :blob_ref, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id AND status = :expected

-- name: videos_raw_due
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos
WHERE uploaded_at < :before AND blob_ref IS NOT NULL
  AND (uploaded_at > :after_at OR (uploaded_at = :after_at AND id > :after_id))
ORDER BY uploaded_at, id
LIMIT :limit
