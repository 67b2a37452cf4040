-- Videos: a player's swings. Status moves only with a condition on the current status.

-- name: videos_insert
-- A new swing; Videos.create then refreshes videos and the player's summary.
INSERT INTO videos (id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata,
                    blob_ref)
VALUES (:id, :user_id, :filename, :uploaded_at, :updated_at, :duration_s, :status, :metadata,
        :blob_ref)

-- name: videos_get
-- One swing by primary key (id and the player's user_id): a real-time Get on CrateDB.
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE id = :id AND user_id = :user_id

-- name: videos_for_player
-- A page of a player's swings, newest first, no date or status filter (API list, recent swings).
-- SQLite uses videos(user_id, uploaded_at).
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE user_id = :user_id
ORDER BY uploaded_at DESC, id DESC
LIMIT :limit OFFSET :offset

-- name: videos_count_for_player
-- How many swings a player has (the API list's total).
SELECT count(*) FROM videos WHERE user_id = :user_id

-- name: videos_with_status
-- The analysis worker's queue: swings in one status across every player, oldest first
-- (SQLite: videos(status, uploaded_at); CrateDB: every shard, as of the last refresh).
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE status = :status
ORDER BY uploaded_at, id
LIMIT :limit

-- name: videos_set_status
-- Move a swing's status only from :expected (the worker's claim): atomic in SQLite. CrateDB
-- replaces it with a write at the version read first (crate/guarded.sql).
UPDATE videos SET status = :status, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id AND status = :expected

-- name: videos_update
-- Rewrite a swing's mutable fields by primary key, whatever its status (Videos.update).
UPDATE videos SET filename = :filename, duration_s = :duration_s, status = :status,
                  metadata = :metadata, blob_ref = :blob_ref, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id

-- name: videos_uploaded_before
-- Swings uploaded before :before that still have a raw blob, oldest first. Only tests use it:
-- the retention purge pages with videos_raw_due.
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE uploaded_at < :before AND blob_ref IS NOT NULL
ORDER BY uploaded_at, id
LIMIT :limit

-- name: videos_delete
-- Delete one swing row by primary key, after its poses, analyses and notes (Videos.delete).
DELETE FROM videos WHERE id = :id AND user_id = :user_id

-- name: videos_for_player_between
-- A player's swings uploaded in [start, end), oldest first: Analyses.swings_between pairs them
-- with their newest analyses.
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end
ORDER BY uploaded_at, id
LIMIT 100000

-- name: videos_all
-- A page of every swing, oldest first, for operator commands that walk them all (reanalyze,
-- video_media).
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos
ORDER BY uploaded_at, id
LIMIT :limit OFFSET :offset

-- name: videos_by_id
-- A swing by id alone, whoever's it is (analyze_video command, demo seeding). Not routed on
-- CrateDB: every shard is searched, as of the last refresh.
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos WHERE id = :id
LIMIT 1

-- name: videos_update_if_status
-- videos_update only while the status is still :expected (upload re-queue, purge, admin edit):
-- atomic in SQLite. CrateDB's twin writes at the version read first (crate/guarded.sql).
UPDATE videos SET filename = :filename, duration_s = :duration_s, status = :status,
                  metadata = :metadata, blob_ref = :blob_ref, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id AND status = :expected

-- name: videos_raw_due
-- The retention purge's pages: swings uploaded before :before still holding a raw blob, oldest
-- first, keyset after (:after_at, :after_id) so rows the purge skips never hide later ones.
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos
WHERE uploaded_at < :before AND blob_ref IS NOT NULL
  AND (uploaded_at > :after_at OR (uploaded_at = :after_at AND id > :after_id))
ORDER BY uploaded_at, id
LIMIT :limit
