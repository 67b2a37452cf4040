-- Video lessons (issue #17): a coach records the replay with their voice for one player.
-- user_id is the player the lesson is for, coach_id who recorded it, video_ids (JSON array) the
-- player's swings it covers. status: 'uploaded' (the worker still has to make the MP4
-- rendition), 'processing', 'ready', 'failed'. watched_at is set once, when the player first
-- plays it. Timestamps are epoch ms.
CREATE TABLE IF NOT EXISTS lessons (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  coach_id TEXT NOT NULL,
  video_ids TEXT NOT NULL DEFAULT '[]',
  title TEXT NOT NULL,
  duration_s REAL,
  blob_ref TEXT,
  content_type TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  status TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  watched_at INTEGER,
  PRIMARY KEY (id, user_id)
);
CREATE INDEX IF NOT EXISTS lessons_user_created ON lessons (user_id, created_at);
CREATE INDEX IF NOT EXISTS lessons_status_created ON lessons (status, created_at);
