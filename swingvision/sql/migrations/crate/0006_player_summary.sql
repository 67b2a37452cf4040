-- One row per player with what the roster shows, kept current by the managers on every write
-- that changes it, so the roster is one primary-key-routed read instead of a scan of every swing.
CREATE TABLE IF NOT EXISTS player_summary (
  user_id TEXT NOT NULL,
  n_swings INTEGER NOT NULL,
  last_swing_at TIMESTAMP WITH TIME ZONE,
  recent_scores ARRAY(DOUBLE PRECISION),
  poster_video_id TEXT,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (user_id)
) CLUSTERED BY (user_id)
