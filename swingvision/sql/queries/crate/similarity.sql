-- Similarity search, CrateDB: KNN_MATCH over the FLOAT_VECTOR columns (Lucene HNSW, approximate,
-- Euclidean: _score = 1 / (1 + d²)). k is per shard and every other condition filters the k
-- nearest afterwards, so the caller asks for more candidates than it shows and raises k while
-- the filters leave too few. vector_similarity (the same 1 / (1 + d²), computed exactly) re-ranks
-- the candidates; the caller then ranks them by exact float64 distance and keeps the best per
-- swing. A scope of one player (user_id = ...) routes to that player's shard.

-- name: similarity_knn_poses
-- The :k nearest poses per shard (KNN_MATCH), then the scope and filters, best first by
-- vector_similarity: fewer than :limit rows may survive the filters (see above).
SELECT id, video_id, user_id, frame_number, phase, view, left_handed, embedding,
       vector_similarity(embedding, :query) AS similarity
FROM poses
WHERE knn_match(embedding, :query, :k)
  AND (:any_user OR user_id = ANY(:user_ids))
  AND (:any_phase OR phase = :phase)
  AND (:any_view OR view = :view)
  AND (:any_hand OR left_handed = :left_handed)
  AND video_id <> :exclude_video
ORDER BY similarity DESC
LIMIT :limit

-- name: similarity_knn_swings
-- View and handedness live in the analysis' details object; they are filtered by the caller, so
-- a table whose details never held a key cannot fail the query on an unknown object key.
SELECT id, video_id, user_id, analyzed_at, details, swing_embedding,
       vector_similarity(swing_embedding, :query) AS similarity
FROM swing_analysis
WHERE knn_match(swing_embedding, :query, :k)
  AND (:any_user OR user_id = ANY(:user_ids))
  AND video_id <> :exclude_video
ORDER BY similarity DESC
LIMIT :limit

-- name: similarity_latest_analyses
-- Swing search compares the newest analysis of each video: candidates from older engine
-- versions are dropped against this.
SELECT id, video_id, user_id, analyzed_at
FROM swing_analysis
WHERE video_id = ANY(:video_ids)
ORDER BY analyzed_at DESC, id DESC
LIMIT :limit

-- name: similarity_feed_head
-- CrateDB keeps no change feed and needs none: no in-memory index runs against it (KNN_MATCH
-- reads the live table). Both feed statements answer "nothing has changed".
SELECT 0 AS generation, 0 AS seq

-- name: similarity_feed_since
-- Always empty: CrateDB keeps no change feed (see similarity_feed_head).
SELECT 0 AS seq, '' AS video_id, '' AS user_id
LIMIT 0
