-- The audit log: who changed what, when, with the record before and after (admin and coach edits).
-- Snapshots are JSON text; `at` is epoch milliseconds. Listed newest first, per target or per actor.
CREATE TABLE IF NOT EXISTS audit_log (
  id TEXT NOT NULL PRIMARY KEY,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  player_id TEXT,
  before TEXT NOT NULL DEFAULT '{}',
  after TEXT NOT NULL DEFAULT '{}',
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at, id);
CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target_type, target_id, at);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor_id, at);
