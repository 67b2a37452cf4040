-- The audit log: who changed what, when, with the record before and after (admin and coach edits).
-- Sharded by id, so writes spread evenly; a listing is a top-N per shard merged by the handler
-- (ORDER BY at DESC ... LIMIT n), cheap at any size because each shard answers from its BKD index on
-- `at`. Few shards: the log is small next to poses. The snapshots are OBJECT(IGNORED), not DYNAMIC:
-- they hold users, videos and analyses alike, whose sub-columns would clash in type across kinds
-- (and grow the mapping without bound); IGNORED keeps them whole in the row without mapping them.
CREATE TABLE IF NOT EXISTS audit_log (
  id TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  player_id TEXT,
  before OBJECT(IGNORED),
  after OBJECT(IGNORED),
  at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (id)
) CLUSTERED BY (id) INTO 2 SHARDS;
