-- Coach tools (issue #10): notes to players and the drill library. Every notes query carries the
-- player's user_id (the routing column); drills are one small table read whole.

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

-- name: drills_upsert
INSERT INTO drills (id, name, aspect, description, video_url, created_by, created_at)
VALUES (:id, :name, :aspect, :description, :video_url, :created_by, :created_at)
ON CONFLICT (id) DO UPDATE SET
  name = excluded.name, aspect = excluded.aspect, description = excluded.description,
  video_url = excluded.video_url

-- name: drills_insert_missing
-- The default library: a drill already there (perhaps edited by an admin) is left as it is.
INSERT INTO drills (id, name, aspect, description, video_url, created_by, created_at)
VALUES (:id, :name, :aspect, :description, :video_url, :created_by, :created_at)
ON CONFLICT (id) DO NOTHING

-- name: drills_get
SELECT id, name, aspect, description, video_url, created_by, created_at
FROM drills WHERE id = :id

-- name: drills_all
-- Per aspect, a coach's own drills (ULIDs, starting with a digit) before the default library's
-- (default-<aspect>-<n>, in the library's order).
SELECT id, name, aspect, description, video_url, created_by, created_at
FROM drills
ORDER BY aspect, id
LIMIT :limit

-- name: drills_delete
DELETE FROM drills WHERE id = :id

-- name: analyses_feedback_recent_for_player
-- The newest analyses of a player with their feedback: what the practice plan is made of.
SELECT id AS analysis_id, video_id, analyzed_at, feedback, details
FROM swing_analysis WHERE user_id = :user_id
ORDER BY analyzed_at DESC, id DESC
LIMIT :limit
