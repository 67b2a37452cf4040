-- Notes from a coach to a player on a swing (Notes manager). Every query carries the player's
-- user_id (the routing column).

-- name: notes_insert
INSERT INTO notes (id, user_id, video_id, author_id, frame, text, created_at, read_at)
VALUES (:id, :user_id, :video_id, :author_id, :frame, :text, :created_at, NULL)

-- name: notes_get
SELECT id, user_id, video_id, author_id, frame, text, created_at, read_at
FROM notes WHERE id = :id AND user_id = :user_id

-- name: notes_for_video
SELECT id, user_id, video_id, author_id, frame, text, created_at, read_at
FROM notes WHERE user_id = :user_id AND video_id = :video_id
ORDER BY created_at, id
LIMIT :limit

-- name: notes_unread_for_player
SELECT id, user_id, video_id, author_id, frame, text, created_at, read_at
FROM notes WHERE user_id = :user_id AND read_at IS NULL
ORDER BY created_at DESC, id DESC
LIMIT :limit

-- name: notes_mark_read_for_video
-- Only notes not read yet: the first reading's time stays.
UPDATE notes SET read_at = :read_at
WHERE user_id = :user_id AND video_id = :video_id AND read_at IS NULL

-- name: notes_delete
DELETE FROM notes WHERE id = :id AND user_id = :user_id

-- name: notes_delete_for_video
DELETE FROM notes WHERE user_id = :user_id AND video_id = :video_id
