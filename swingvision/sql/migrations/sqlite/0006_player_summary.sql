-- One row per player with what the roster shows, kept current by the managers on every write
-- that changes it, so the roster is one indexed read instead of a scan of every swing.
CREATE TABLE IF NOT EXISTS player_summary (
  user_id TEXT NOT NULL PRIMARY KEY,
  n_swings INTEGER NOT NULL,
  last_swing_at INTEGER,
  recent_scores TEXT NOT NULL DEFAULT '[]',
  poster_video_id TEXT,
  updated_at INTEGER NOT NULL
)
