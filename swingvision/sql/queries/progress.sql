-- Progress: one row per player and day, id = <user_id>:<yyyy-mm-dd>.

-- name: progress_upsert
INSERT INTO progress (id, user_id, progress_date, metrics)
VALUES (:id, :user_id, :progress_date, :metrics)
ON CONFLICT (id, user_id) DO UPDATE SET
  progress_date = excluded.progress_date, metrics = excluded.metrics

-- name: progress_for_player_between
SELECT id, user_id, progress_date, metrics
FROM progress WHERE user_id = :user_id AND progress_date >= :start AND progress_date < :end
ORDER BY progress_date
LIMIT 100000

-- name: progress_delete_for_player
DELETE FROM progress WHERE user_id = :user_id

-- name: progress_delete_day
DELETE FROM progress WHERE id = :id AND user_id = :user_id

-- name: progress_latest_on_or_before
SELECT id, user_id, progress_date, metrics
FROM progress
WHERE user_id = :user_id AND progress_date <= :at
ORDER BY progress_date DESC
LIMIT 1
