-- Coach tools (issue #10): notes a coach writes to a player on a swing, and the drill library.
-- Drawings and event corrections live in the analysis's `details` (no table of their own).
-- A note belongs to the player it is written to: user_id is the routing column, like every
-- domain table, so a player's notes are one shard's and read by primary key in real time.
-- read_at is set once, when the player first sees the note on the swing page.
CREATE TABLE IF NOT EXISTS notes (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  video_id TEXT NOT NULL,
  author_id TEXT NOT NULL,
  frame INTEGER,
  text TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  read_at TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (id, user_id)
) CLUSTERED BY (user_id);

-- The drill library: a small table everyone reads, so few shards. Each drill works on one aspect
-- (a metric name of the engine, the `aspect` of its feedback items); created_by is 'system' for
-- the default library.
CREATE TABLE IF NOT EXISTS drills (
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  aspect TEXT NOT NULL,
  description TEXT NOT NULL,
  video_url TEXT,
  created_by TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (id)
) CLUSTERED INTO 2 SHARDS;
