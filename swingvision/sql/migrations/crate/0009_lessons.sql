-- Video lessons (issue #17): a coach records the replay with their voice for one player.
-- A lesson belongs to the player it is for: user_id is the routing column, like every domain
-- table, so a player's lessons are one shard's and read by primary key in real time. coach_id is
-- who recorded it; video_ids the player's swings it covers (the first is the one it was recorded
-- on). status: 'uploaded' (the worker still has to make the MP4 rendition), 'processing',
-- 'ready', 'failed' (the original still plays where the browser can). metadata holds the probe's
-- facts and the rendition's ref and facts. watched_at is set once, when the player first plays it.
CREATE TABLE IF NOT EXISTS lessons (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  coach_id TEXT NOT NULL,
  video_ids ARRAY(TEXT),
  title TEXT NOT NULL,
  duration_s DOUBLE PRECISION,
  blob_ref TEXT,
  content_type TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  status TEXT NOT NULL,
  metadata OBJECT(DYNAMIC),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  watched_at TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (id, user_id)
) CLUSTERED BY (user_id);
