-- The seed's five tables, the login key table and sessions (design section 4).
-- Timestamps are epoch milliseconds, objects JSON text, keypoints and vectors float32 BLOBs.
CREATE TABLE IF NOT EXISTS users (
  id TEXT NOT NULL PRIMARY KEY,
  username TEXT NOT NULL,
  email TEXT NOT NULL,
  full_name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('coach', 'player', 'admin')),
  coach_id TEXT,
  password_hash TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX IF NOT EXISTS users_username ON users (username);
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (email);
CREATE INDEX IF NOT EXISTS users_coach ON users (coach_id);

CREATE TABLE IF NOT EXISTS user_logins (
  login TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS videos (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  filename TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  duration_s REAL,
  status TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  blob_ref TEXT,
  PRIMARY KEY (id, user_id)
);
CREATE INDEX IF NOT EXISTS videos_user_uploaded ON videos (user_id, uploaded_at);
CREATE INDEX IF NOT EXISTS videos_status_uploaded ON videos (status, uploaded_at);
CREATE UNIQUE INDEX IF NOT EXISTS videos_id ON videos (id);

CREATE TABLE IF NOT EXISTS poses (
  id TEXT NOT NULL,
  video_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  frame_number INTEGER NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  keypoints BLOB NOT NULL,
  confidence REAL,
  embedding BLOB,
  PRIMARY KEY (id, user_id)
);
CREATE INDEX IF NOT EXISTS poses_video_frame ON poses (video_id, frame_number);

CREATE TABLE IF NOT EXISTS swing_analysis (
  id TEXT NOT NULL,
  video_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  analyzed_at INTEGER NOT NULL,
  engine_version TEXT NOT NULL,
  overall_score REAL,
  metrics TEXT NOT NULL DEFAULT '{}',
  events TEXT NOT NULL DEFAULT '{}',
  feedback TEXT NOT NULL DEFAULT '[]',
  details TEXT NOT NULL DEFAULT '{}',
  swing_embedding BLOB,
  PRIMARY KEY (id, user_id)
);
CREATE INDEX IF NOT EXISTS swing_analysis_user_analyzed ON swing_analysis (user_id, analyzed_at);
CREATE INDEX IF NOT EXISTS swing_analysis_video ON swing_analysis (video_id);

CREATE TABLE IF NOT EXISTS progress (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  progress_date INTEGER NOT NULL,
  metrics TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (id, user_id)
);
CREATE INDEX IF NOT EXISTS progress_user_date ON progress (user_id, progress_date);

CREATE TABLE IF NOT EXISTS sessions (
  session_key TEXT NOT NULL PRIMARY KEY,
  user_id TEXT,
  data TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires_at);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
