-- Poses: one row per frame, id = <video_id>:<frame>, so a re-run overwrites instead of adding.

-- name: poses_upsert
-- Insert or overwrite one frame's pose (run by execute_many, 1000 rows a batch). In SQLite
-- triggers record the write in similarity_changes for the in-memory similarity index.
INSERT INTO poses (id, video_id, user_id, frame_number, timestamp_ms, keypoints, confidence,
                   embedding, phase, view, left_handed)
VALUES (:id, :video_id, :user_id, :frame_number, :timestamp_ms, :keypoints, :confidence,
        :embedding, :phase, :view, :left_handed)
ON CONFLICT (id, user_id) DO UPDATE SET
  video_id = excluded.video_id, frame_number = excluded.frame_number,
  timestamp_ms = excluded.timestamp_ms, keypoints = excluded.keypoints,
  confidence = excluded.confidence, embedding = excluded.embedding, phase = excluded.phase,
  view = excluded.view, left_handed = excluded.left_handed

-- name: poses_keypoints_for_video
-- Frame numbers and keypoints of one swing only, in frame order: the cheap read behind
-- Poses.sequence (float32 blobs in SQLite, object arrays on CrateDB).
SELECT frame_number, keypoints
FROM poses WHERE user_id = :user_id AND video_id = :video_id
ORDER BY frame_number
LIMIT 200000

-- name: poses_for_video
-- Every stored pose row of one swing, all columns, in frame order.
SELECT id, video_id, user_id, frame_number, timestamp_ms, keypoints, confidence, embedding,
       phase, view, left_handed
FROM poses WHERE user_id = :user_id AND video_id = :video_id
ORDER BY frame_number
LIMIT 200000

-- name: poses_get
-- One frame's pose by primary key (id = <video_id>:<frame>): a real-time Get on CrateDB.
-- A position search starts from it; search results check their pose still exists with it.
SELECT id, video_id, user_id, frame_number, timestamp_ms, keypoints, confidence, embedding,
       phase, view, left_handed
FROM poses WHERE id = :id AND user_id = :user_id

-- name: poses_count_for_video
-- How many frames of a swing have a stored pose.
SELECT count(*) FROM poses WHERE user_id = :user_id AND video_id = :video_id

-- name: poses_delete_for_video
-- Every pose of a swing, when the swing is deleted (Videos.delete); in SQLite triggers tell the
-- similarity index.
DELETE FROM poses WHERE user_id = :user_id AND video_id = :video_id

-- name: poses_delete_after_frame
-- Rows past the last frame of a re-run, so a shorter re-run leaves exactly one row per frame
-- (Poses.write_video_poses, right after its upserts).
DELETE FROM poses WHERE user_id = :user_id AND video_id = :video_id AND frame_number > :frame
