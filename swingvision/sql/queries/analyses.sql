-- Swing analyses: id = <video_id>:<engine_version>, so re-analysis with a new engine adds a row.

-- name: analyses_upsert
-- Insert or overwrite one analysis: a re-run of the same engine version replaces its row.
-- Analyses._write then refreshes swing_analysis and the player's summary.
INSERT INTO swing_analysis (id, video_id, user_id, analyzed_at, engine_version, overall_score,
                            metrics, events, feedback, details, swing_embedding)
VALUES (:id, :video_id, :user_id, :analyzed_at, :engine_version, :overall_score, :metrics,
        :events, :feedback, :details, :swing_embedding)
ON CONFLICT (id, user_id) DO UPDATE SET
  video_id = excluded.video_id, analyzed_at = excluded.analyzed_at,
  engine_version = excluded.engine_version, overall_score = excluded.overall_score,
  metrics = excluded.metrics, events = excluded.events, feedback = excluded.feedback,
  details = excluded.details, swing_embedding = excluded.swing_embedding

-- name: analyses_latest_for_video
-- The newest analysis of one swing (any engine version), or none: the swing page, notes,
-- corrections and similarity results. Routed by user_id.
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding
FROM swing_analysis WHERE user_id = :user_id AND video_id = :video_id
ORDER BY analyzed_at DESC, id DESC
LIMIT 1

-- name: analyses_for_player_between
-- A player's analyses made (analyzed_at) in [start, end), oldest first, every engine version;
-- Analyses.for_player_between keeps the newest per swing.
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding
FROM swing_analysis
WHERE user_id = :user_id AND analyzed_at >= :start AND analyzed_at < :end
ORDER BY analyzed_at, id
LIMIT 100000

-- name: analyses_for_video
-- Every analysis of one swing, newest first (one per engine version). Not used by the app:
-- tests read it to check re-analysis and the worker.
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding
FROM swing_analysis WHERE user_id = :user_id AND video_id = :video_id
ORDER BY analyzed_at DESC, id DESC
LIMIT 1000

-- name: analyses_delete_for_video
-- Every analysis of a swing, when the swing is deleted (Videos.delete). On CrateDB a delete by
-- query: it finds rows as of the last refresh (each analysis write refreshes the table).
DELETE FROM swing_analysis WHERE user_id = :user_id AND video_id = :video_id

-- name: analyses_for_player_swings_between
-- The analyses of a player's swings recorded (videos.uploaded_at) in [start, end), every engine
-- version: Analyses.swings_between keeps the newest per swing for progress and daily rows.
SELECT id, video_id, user_id, analyzed_at, engine_version, overall_score, metrics, events,
       feedback, details, swing_embedding
FROM swing_analysis
WHERE user_id = :user_id
  AND video_id IN (SELECT id FROM videos
                   WHERE user_id = :user_id AND uploaded_at >= :start AND uploaded_at < :end)
ORDER BY analyzed_at, id
LIMIT 100000

-- name: analyses_insert_if_absent
-- A guarded write of an analysis that was not there when read (Analyses.save with a version):
-- 0 rows when someone wrote it since, in both dialects.
INSERT INTO swing_analysis (id, video_id, user_id, analyzed_at, engine_version, overall_score,
                            metrics, events, feedback, details, swing_embedding)
VALUES (:id, :video_id, :user_id, :analyzed_at, :engine_version, :overall_score, :metrics,
        :events, :feedback, :details, :swing_embedding)
ON CONFLICT (id, user_id) DO NOTHING

-- name: analyses_update_if_unchanged
-- Overwrite one analysis only while it is as analyses_version read it (a coach's correction, a
-- feedback edit, a drawing): SQLite compares the stored analyzed_at, details and feedback with
-- the values read (one statement is atomic). CrateDB's twin writes at the version read
-- (crate/guarded.sql). 0 rows: someone changed it since.
UPDATE swing_analysis SET
  video_id = :video_id, analyzed_at = :analyzed_at, engine_version = :engine_version,
  overall_score = :overall_score, metrics = :metrics, events = :events, feedback = :feedback,
  details = :details, swing_embedding = :swing_embedding
WHERE id = :id AND user_id = :user_id
  AND analyzed_at = :v_at AND details = :v_details AND feedback = :v_feedback
