-- Poses: one row per frame, id = <video_id>:<frame>, so a re-run overwrites instead of adding.

-- name: poses_upsert
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
SELECT frame_number, keypoints
FROM poses WHERE user_id = :user_id AND video_id = :video_id
ORDER BY frame_number
LIMIT 200000

-- name: poses_for_video
SELECT id, video_id, user_id, frame_number, timestamp_ms, keypoints, confidence, embedding,
       phase, view, left_handed
FROM poses WHERE user_id = :user_id AND video_id = :video_id
ORDER BY frame_number
LIMIT 200000

-- name: poses_get
SELECT id, video_id, user_id, frame_number, timestamp_ms, keypoints, confidence, embedding,
       phase, view, left_handed
FROM poses WHERE id = :id AND user_id = :user_id

-- name: poses_count_for_video
SELECT count(*) FROM poses WHERE user_id = :user_id AND video_id = :video_id

-- name: poses_delete_for_video
DELETE FROM poses WHERE user_id = :user_id AND video_id = :video_id

-- name: poses_delete_after_frame
DELETE FROM poses WHERE user_id = :user_id AND video_id = :video_id AND frame_number > :frame
