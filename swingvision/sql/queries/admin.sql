-- Admin data pages: every player's records, paged. Only the admin manager runs these, after its
-- scope check. A filter of '' means "any"; user search patterns are built by the manager.

-- name: admin_users_page
-- A page of the admin user list: one role and a lower-case LIKE pattern on username, full name
-- or email (each '' for any); the manager builds the pattern from the search box.
SELECT id, username, email, full_name, role, coach_id, password_hash, active, created_at,
       updated_at, settings
FROM users
WHERE (:role = '' OR role = :role)
  AND (:pattern = '' OR lower(username) LIKE :pattern OR lower(full_name) LIKE :pattern
       OR lower(email) LIKE :pattern)
ORDER BY role, full_name, username, id
LIMIT :limit OFFSET :offset

-- name: admin_users_count
-- How many users admin_users_page's filters match (the page count).
SELECT count(*) FROM users
WHERE (:role = '' OR role = :role)
  AND (:pattern = '' OR lower(username) LIKE :pattern OR lower(full_name) LIKE :pattern
       OR lower(email) LIKE :pattern)

-- name: admin_videos_page
-- A page of every player's swings, newest upload first, by status and player ('' for any).
-- Without a player it reads every shard on CrateDB.
SELECT id, user_id, filename, uploaded_at, updated_at, duration_s, status, metadata, blob_ref
FROM videos
WHERE (:status = '' OR status = :status) AND (:user_id = '' OR user_id = :user_id)
ORDER BY uploaded_at DESC, id DESC
LIMIT :limit OFFSET :offset

-- name: admin_videos_count
-- How many swings admin_videos_page's filters match (the page count).
SELECT count(*) FROM videos
WHERE (:status = '' OR status = :status) AND (:user_id = '' OR user_id = :user_id)

-- name: admin_analyses_page
-- A page of analyses, newest first, of one player ('' for all). swing_embedding comes back NULL:
-- the list never shows the vector, so it is not read.
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, NULL AS swing_embedding
FROM swing_analysis
WHERE (:user_id = '' OR user_id = :user_id)
ORDER BY analyzed_at DESC, id DESC
LIMIT :limit OFFSET :offset

-- name: admin_analyses_count
-- How many analyses admin_analyses_page's filter matches (the page count).
SELECT count(*) FROM swing_analysis WHERE (:user_id = '' OR user_id = :user_id)

-- name: analysis_get
-- One analysis by primary key (id and the player's user_id): the admin's analysis page.
-- A real-time Get on CrateDB.
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding
FROM swing_analysis WHERE id = :id AND user_id = :user_id

-- name: progress_count_for_player
-- How many daily progress rows a player has: the audit's "before" figure when an admin
-- recomputes the player's progress.
SELECT count(*) FROM progress WHERE user_id = :user_id
