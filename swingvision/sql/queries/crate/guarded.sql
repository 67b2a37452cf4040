-- Guarded writes on CrateDB: a video's or a lesson's status move, the release of a login claim, and a
-- swing analysis written back by a coach's correction, drawing or feedback edit.
-- An UPDATE or DELETE whose WHERE holds more than the primary key (`... AND status = 'uploaded'`,
-- `... AND user_id = ?` on user_logins) runs by query: it finds its rows in the last refreshed
-- view (missing a row written since) and then writes them by _id without checking the condition
-- again, so two workers could both "claim" one video. Instead the caller reads the row by primary
-- key (a real-time Get that also returns its current _seq_no and _primary_term), checks the
-- condition itself, and writes by primary key with those two in the WHERE: CrateDB applies that
-- write only while the row is still at that version (optimistic concurrency control, checked on
-- the primary shard); a lost race changes 0 rows.

-- name: videos_version
-- A swing's status with its current _seq_no and _primary_term: a real-time Get by primary key.
SELECT status, "_seq_no" AS seq_no, "_primary_term" AS primary_term
FROM videos WHERE id = :id AND user_id = :user_id

-- name: videos_set_status
-- Move the status by primary key at the version videos_version read (the caller checked the
-- status); 0 rows if the row changed since.
UPDATE videos SET status = :status, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id AND "_seq_no" = :seq_no AND "_primary_term" = :primary_term

-- name: videos_update_if_status
-- videos_update by primary key at the version videos_version read (the caller checked
-- :expected); 0 rows if the row changed since.
UPDATE videos SET filename = :filename, duration_s = :duration_s, status = :status,
                  metadata = :metadata, blob_ref = :blob_ref, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id AND "_seq_no" = :seq_no AND "_primary_term" = :primary_term

-- name: user_logins_version
-- Who holds a login key, with the row's _seq_no and _primary_term: a real-time Get.
SELECT user_id, "_seq_no" AS seq_no, "_primary_term" AS primary_term
FROM user_logins WHERE login = :login

-- name: user_logins_release
-- Delete a login claim at the version user_logins_version read (the caller checked the owner);
-- 0 rows if it changed since.
DELETE FROM user_logins
WHERE login = :login AND "_seq_no" = :seq_no AND "_primary_term" = :primary_term

-- name: lessons_version
-- A lesson's status with its current _seq_no and _primary_term: a real-time Get by primary key.
SELECT status, "_seq_no" AS seq_no, "_primary_term" AS primary_term
FROM lessons WHERE id = :id AND user_id = :user_id

-- name: lessons_set_status
-- Move a lesson's status by primary key at the version lessons_version read (the caller checked
-- the status); 0 rows if the row changed since, so two workers never both take one lesson.
UPDATE lessons SET status = :status, updated_at = :updated_at
WHERE id = :id AND user_id = :user_id AND "_seq_no" = :seq_no AND "_primary_term" = :primary_term

-- name: analyses_version
-- One analysis with its current _seq_no and _primary_term: a real-time Get by primary key (the
-- base of a coach's correction or edit, written back at that version).
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding, "_seq_no" AS seq_no, "_primary_term" AS primary_term
FROM swing_analysis WHERE id = :id AND user_id = :user_id

-- name: analyses_update_if_unchanged
-- Overwrite one analysis by primary key at the version analyses_version read; 0 rows if the
-- row changed since (a racing correction or edit: the caller re-reads or answers 409).
UPDATE swing_analysis SET
  video_id = :video_id, analyzed_at = :analyzed_at, engine_version = :engine_version,
  overall_score = :overall_score, metrics = :metrics, events = :events, feedback = :feedback,
  details = :details, swing_embedding = :swing_embedding
WHERE id = :id AND user_id = :user_id AND "_seq_no" = :seq_no AND "_primary_term" = :primary_term

-- name: users_settings_version
-- A user's settings with the row's _seq_no and _primary_term: a real-time Get by primary key.
SELECT settings, "_seq_no" AS seq_no, "_primary_term" AS primary_term
FROM users WHERE id = :id

-- name: users_set_settings_if_unchanged
-- Write a user's settings by primary key at the version users_settings_version read; 0 rows
-- if the row changed since.
UPDATE users SET settings = :settings, updated_at = :updated_at
WHERE id = :id AND "_seq_no" = :seq_no AND "_primary_term" = :primary_term
