-- Guarded writes: a video's or a lesson's status move, the release of a login claim and an analysis
-- written back (a correction, a drawing, a feedback edit). SQLite checks the
-- condition inside the UPDATE or DELETE itself (one statement is atomic), so the "version" read
-- first is only the status or the owner; seq_no and primary_term are unused here (see the
-- CrateDB twin for why that dialect needs them).

-- name: videos_version
-- A swing's status by primary key; seq_no and primary_term are always 0 (the UPDATE checks
-- the status itself).
SELECT status, 0 AS seq_no, 0 AS primary_term
FROM videos WHERE id = :id AND user_id = :user_id

-- name: user_logins_version
-- Who holds a login key; seq_no and primary_term are always 0 (the DELETE checks the owner).
SELECT user_id, 0 AS seq_no, 0 AS primary_term
FROM user_logins WHERE login = :login

-- name: lessons_version
-- A lesson's status by primary key; seq_no and primary_term are always 0 (the UPDATE checks
-- the status itself).
SELECT status, 0 AS seq_no, 0 AS primary_term
FROM lessons WHERE id = :id AND user_id = :user_id

-- name: analyses_version
-- One analysis by primary key with what analyses_update_if_unchanged compares (its stored
-- analyzed_at, details and feedback as stored); seq_no and primary_term are always 0.
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding, 0 AS seq_no, 0 AS primary_term,
       analyzed_at AS v_at, details AS v_details, feedback AS v_feedback
FROM swing_analysis WHERE id = :id AND user_id = :user_id

-- name: users_settings_version
-- A user's settings as stored (the text users_set_settings_if_unchanged compares); seq_no and
-- primary_term are always 0.
SELECT settings, settings AS v_settings, 0 AS seq_no, 0 AS primary_term
FROM users WHERE id = :id
