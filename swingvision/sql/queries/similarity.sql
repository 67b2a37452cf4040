-- Similarity search: what the in-memory index loads (swingvision/similarity/index.py).
-- Rows without an embedding (poses written without an analysis) are never searched.

-- name: similarity_pose_vectors_page
-- A page of every swing's pose vectors after :after_video, by video and frame: the index's full
-- load. The caller drops the page's last, possibly partial video and resumes there.
SELECT video_id, user_id, frame_number, phase, view, left_handed, embedding
FROM poses
WHERE video_id > :after_video AND embedding IS NOT NULL
ORDER BY video_id, frame_number
LIMIT :limit

-- name: similarity_pose_vectors_for_video
-- One swing's pose vectors in frame order: the index reloads a swing the change feed names.
SELECT video_id, user_id, frame_number, phase, view, left_handed, embedding
FROM poses
WHERE user_id = :user_id AND video_id = :video_id AND embedding IS NOT NULL
ORDER BY frame_number
LIMIT 200000

-- name: similarity_swing_vectors_page
-- A page of analyses after :after_video, by video, newest analysis first within a video: the
-- index keeps the first per video (a newest analysis without a vector gives none).
SELECT id, video_id, user_id, analyzed_at, details, swing_embedding
FROM swing_analysis
WHERE video_id > :after_video
ORDER BY video_id, analyzed_at DESC, id DESC
LIMIT :limit

-- name: similarity_swing_vectors_for_video
-- The newest analysis of one swing with its vector: the index reloads a changed swing.
SELECT id, video_id, user_id, analyzed_at, details, swing_embedding
FROM swing_analysis
WHERE user_id = :user_id AND video_id = :video_id
ORDER BY analyzed_at DESC, id DESC
LIMIT 1
