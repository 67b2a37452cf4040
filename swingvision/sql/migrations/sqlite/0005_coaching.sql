-- Coach tools (issue #10): notes a coach writes to a player on a swing, and the drill library.
-- Drawings and event corrections live in the analysis's `details` (no table of their own).
-- A note belongs to the player it is written to (user_id, the routing column in CrateDB); read_at
-- is set once, when the player first sees it on the swing page. Timestamps are epoch ms.
CREATE TABLE IF NOT EXISTS notes (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  video_id TEXT NOT NULL,
  author_id TEXT NOT NULL,
  frame INTEGER,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  read_at INTEGER,
  PRIMARY KEY (id, user_id)
);
CREATE INDEX IF NOT EXISTS notes_user_video ON notes (user_id, video_id, created_at);
CREATE INDEX IF NOT EXISTS notes_user_unread ON notes (user_id, read_at, created_at);

-- The drill library: admins and coaches add drills; each works on one aspect (a metric name of
-- the engine, the `aspect` of its feedback items). created_by is 'system' for the default library.
CREATE TABLE IF NOT EXISTS drills (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  aspect TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  video_url TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS drills_aspect ON drills (aspect, name);
