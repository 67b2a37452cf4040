-- Similarity search, SQLite. Searches run on the in-memory index (swingvision/similarity/index.py);
-- these statements feed it, and the exact scans below are what the CrateDB queries of the same name
-- become without a vector index.

-- name: similarity_feed_head
-- schema_version changes with every migration and with a restore through the backup API (which
-- rewrites the file under open connections): then a process reloads everything.
SELECT (SELECT schema_version FROM pragma_schema_version) AS generation,
       (SELECT coalesce(max(seq), 0) FROM similarity_changes) AS seq

-- name: similarity_feed_since
-- The swings written since :after for one kind ('pose' or 'swing'), in seq order: triggers
-- keep one row per swing, at the seq of its latest write.
SELECT seq, video_id, user_id
FROM similarity_changes
WHERE kind = :kind AND seq > :after
ORDER BY seq
LIMIT :limit

-- name: similarity_knn_poses
-- No vector index in SQLite: every pose the filters allow, bounded; the caller ranks them exactly.
SELECT id, video_id, user_id, frame_number, phase, view, left_handed, embedding
FROM poses
WHERE embedding IS NOT NULL
  AND (:any_user OR user_id IN (SELECT value FROM json_each(:user_ids)))
  AND (:any_phase OR phase = :phase)
  AND (:any_view OR view = :view)
  AND (:any_hand OR left_handed = :left_handed)
  AND video_id <> :exclude_video
LIMIT 5000000

-- name: similarity_knn_swings
-- No vector index in SQLite: every analysis with a vector the scope allows, bounded; the caller
-- filters view and handedness, keeps each swing's newest analysis and ranks exactly.
SELECT id, video_id, user_id, analyzed_at, details, swing_embedding
FROM swing_analysis
WHERE swing_embedding IS NOT NULL
  AND (:any_user OR user_id IN (SELECT value FROM json_each(:user_ids)))
  AND video_id <> :exclude_video
LIMIT 5000000

-- name: similarity_latest_analyses
-- The analyses of these swings (:video_ids, a JSON array), newest first: the caller keeps the
-- first per swing to drop candidates from older engine runs.
SELECT id, video_id, user_id, analyzed_at
FROM swing_analysis
WHERE video_id IN (SELECT value FROM json_each(:video_ids))
ORDER BY analyzed_at DESC, id DESC
LIMIT :limit
