-- Personal API tokens for capture apps and scripts (issue #6). Only the SHA-256 of a token is
-- stored; the token itself is shown once, when it is created.
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  last_used_at TIMESTAMP WITH TIME ZONE,
  revoked_at TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (id, user_id)
) CLUSTERED BY (user_id);

-- A search by token_hash on api_tokens would only see rows after a REFRESH. Keyed by the hash,
-- this table answers a request's token with a real-time primary-key read instead; revoking a
-- token deletes its row here (and stamps revoked_at on the token, also read by primary key).
CREATE TABLE IF NOT EXISTS api_token_hashes (
  token_hash TEXT NOT NULL,
  token_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (token_hash)
);
