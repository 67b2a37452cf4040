-- Progress: one row per player and day, id = <user_id>:<yyyy-mm-dd>.

-- name: progress_upsert
-- Insert or overwrite one player's row for one day; its metrics are kept per camera view.
INSERT INTO progress (id, user_id, progress_date, metrics)
VALUES (:id, :user_id, :progress_date, :metrics)
ON CONFLICT (id, user_id) DO UPDATE SET
  progress_date = excluded.progress_date, metrics = excluded.metrics

-- name: progress_for_player_between
-- A player's daily rows in [start, end), oldest first: the progress charts.
-- SQLite uses progress(user_id, progress_date).
SELECT id, user_id, progress_date, metrics
FROM progress WHERE user_id = :user_id AND progress_date >= :start AND progress_date < :end
ORDER BY progress_date
LIMIT 100000

-- name: progress_delete_for_player
-- Every daily row of a player, before Progress.recompute_player rebuilds them.
DELETE FROM progress WHERE user_id = :user_id

-- name: progress_delete_day
-- One day's row by primary key, when no analysed swing is left on that day.
DELETE FROM progress WHERE id = :id AND user_id = :user_id

-- name: progress_latest_on_or_before
-- The player's newest daily row at or before :at (the player page's "now" and "30 days ago").
SELECT id, user_id, progress_date, metrics
FROM progress
WHERE user_id = :user_id AND progress_date <= :at
ORDER BY progress_date DESC
LIMIT 1
