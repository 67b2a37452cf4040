-- Notes from a coach to a player on a swing (Notes manager). Every query carries the player's
-- user_id (the routing column).

-- name: notes_insert
-- A coach's new note on a swing, unread (read_at NULL); Notes.create refreshes notes after it.
INSERT INTO notes (id, user_id, video_id, author_id, frame, text, created_at, read_at)
VALUES (:id, :user_id, :video_id, :author_id, :frame, :text, :created_at, NULL)

-- name: notes_get
-- One note by primary key (id and the player's user_id): a real-time Get on CrateDB.
SELECT id, user_id, video_id, author_id, frame, text, created_at, read_at
FROM notes WHERE id = :id AND user_id = :user_id

-- name: notes_for_video
-- The notes on one swing, oldest first (a conversation reads down).
-- SQLite uses notes(user_id, video_id, created_at).
SELECT id, user_id, video_id, author_id, frame, text, created_at, read_at
FROM notes WHERE user_id = :user_id AND video_id = :video_id
ORDER BY created_at, id
LIMIT :limit

-- name: notes_unread_for_player
-- The player's unread notes, newest first (their "new feedback" list).
-- SQLite uses notes(user_id, read_at, created_at).
SELECT id, user_id, video_id, author_id, frame, text, created_at, read_at
FROM notes WHERE user_id = :user_id AND read_at IS NULL
ORDER BY created_at DESC, id DESC
LIMIT :limit

-- name: notes_mark_read_for_video
-- Only notes not read yet: the first reading's time stays.
UPDATE notes SET read_at = :read_at
WHERE user_id = :user_id AND video_id = :video_id AND read_at IS NULL

-- name: notes_delete
-- Delete one note by primary key (who may is checked by the manager).
DELETE FROM notes WHERE id = :id AND user_id = :user_id

-- name: notes_delete_for_video
-- Every note on a swing, when the swing is deleted (Videos.delete).
DELETE FROM notes WHERE user_id = :user_id AND video_id = :video_id
