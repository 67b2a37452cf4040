-- CrateDB-only operator queries for backups and replication (swingvision/ops/crate.py).
-- They read CrateDB's system tables, which have no SQLite counterpart, so they are kept apart
-- from the two-dialect named queries; tests/db/test_sql_dialects.py parses them with the rest.

-- name: repository_get
-- The snapshot repository of this name, if it exists (a backup creates it when missing).
SELECT name, type FROM sys.repositories WHERE name = :name

-- name: snapshots_in_repository
-- The repository's snapshots, newest first (the caller sorts the backup list oldest first).
SELECT name, started, finished, state, tables
FROM sys.snapshots WHERE repository = :repository
ORDER BY started DESC
LIMIT :limit

-- name: snapshot_get
-- One snapshot's state, tables and failures: a backup checks it ended SUCCESS.
SELECT name, started, finished, state, tables, failures
FROM sys.snapshots WHERE repository = :repository AND name = :name

-- name: tables_in_schema
-- Which of our tables (:tables) exist in the schema: what a snapshot covers and what a
-- restore must drop first.
SELECT table_name FROM information_schema.tables
WHERE table_schema = :schema AND table_name = ANY(:tables)
ORDER BY table_name
LIMIT 1000

-- name: publication_tables
-- The tables a logical-replication publication publishes (replication status, publisher).
SELECT pubname, schemaname, tablename FROM pg_catalog.pg_publication_tables
WHERE pubname = :name
ORDER BY schemaname, tablename
LIMIT 1000

-- name: subscription_get
-- A subscription's publications and connection string (replication status, subscriber).
SELECT subname, subpublications, subconninfo FROM pg_catalog.pg_subscription
WHERE subname = :name

-- name: subscription_tables
-- Each table of a subscription with its replication state and the reason of a failure
-- (replication status, subscriber).
SELECT r.srrelid::TEXT AS table_name, r.srsubstate AS state, r.srsubstate_reason AS reason
FROM pg_catalog.pg_subscription s JOIN pg_catalog.pg_subscription_rel r ON s.oid = r.srsubid
WHERE s.subname = :name
ORDER BY 1
LIMIT 1000
