-- Personal API tokens for capture apps and scripts (issue #6). Only the SHA-256 of a token is
-- stored; the token itself is shown once, when it is created.
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER,
  PRIMARY KEY (id, user_id)
);
CREATE INDEX IF NOT EXISTS api_tokens_user_created ON api_tokens (user_id, created_at);

-- The hash is the key of this small table, so authenticating a request is a primary-key read on
-- both backends (real-time in CrateDB, no REFRESH needed). Revoking a token deletes its row here.
CREATE TABLE IF NOT EXISTS api_token_hashes (
  token_hash TEXT NOT NULL PRIMARY KEY,
  token_id TEXT NOT NULL,
  user_id TEXT NOT NULL
);
