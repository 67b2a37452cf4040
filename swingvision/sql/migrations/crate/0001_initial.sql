-- The seed's five tables, the login key table and sessions (design section 4).
-- Domain tables are sharded by user_id, so the routing column is part of each primary key.
CREATE TABLE IF NOT EXISTS users (
  id TEXT NOT NULL,
  username TEXT NOT NULL,
  email TEXT NOT NULL,
  full_name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('coach', 'player', 'admin')),
  coach_id TEXT,
  password_hash TEXT INDEX OFF,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  settings OBJECT(DYNAMIC),
  PRIMARY KEY (id)
) CLUSTERED BY (id);

-- No UNIQUE in CrateDB: usernames and emails are claimed here first; the key conflict is the check.
CREATE TABLE IF NOT EXISTS user_logins (
  login TEXT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (login)
);

CREATE TABLE IF NOT EXISTS videos (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  filename TEXT NOT NULL,
  uploaded_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  duration_s DOUBLE PRECISION,
  status TEXT NOT NULL,
  metadata OBJECT(DYNAMIC),
  blob_ref TEXT,
  PRIMARY KEY (id, user_id)
) CLUSTERED BY (user_id);

CREATE TABLE IF NOT EXISTS poses (
  id TEXT NOT NULL,
  video_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  frame_number INTEGER NOT NULL,
  timestamp_ms BIGINT NOT NULL,
  keypoints ARRAY(OBJECT(DYNAMIC) AS (name TEXT, x REAL, y REAL, z REAL, confidence REAL)),
  confidence REAL,
  embedding FLOAT_VECTOR(39),
  PRIMARY KEY (id, user_id)
) CLUSTERED BY (user_id);

CREATE TABLE IF NOT EXISTS swing_analysis (
  id TEXT NOT NULL,
  video_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  analyzed_at TIMESTAMP WITH TIME ZONE NOT NULL,
  engine_version TEXT NOT NULL,
  overall_score REAL,
  metrics OBJECT(DYNAMIC),
  events OBJECT(DYNAMIC),
  feedback ARRAY(OBJECT(DYNAMIC) AS (aspect TEXT, finding TEXT, recommendation TEXT, priority INTEGER)),
  details OBJECT(DYNAMIC),
  swing_embedding FLOAT_VECTOR(312),
  PRIMARY KEY (id, user_id)
) CLUSTERED BY (user_id);

CREATE TABLE IF NOT EXISTS progress (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  progress_date TIMESTAMP WITH TIME ZONE NOT NULL,
  metrics OBJECT(DYNAMIC),
  PRIMARY KEY (id, user_id)
) CLUSTERED BY (user_id) INTO 6 SHARDS;

CREATE TABLE IF NOT EXISTS sessions (
  session_key TEXT NOT NULL,
  user_id TEXT,
  data TEXT INDEX OFF,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (session_key)
);
