-- CrateDB-only operator queries for backups and replication (swingvision/ops/crate.py).
-- They read CrateDB's system tables, which have no SQLite counterpart, so they are kept apart
-- from the two-dialect named queries; tests/test_sql_dialects.py parses them with the rest.

-- name: repository_get
SELECT name, type FROM sys.repositories WHERE name = :name

-- name: snapshots_in_repository
SELECT name, started, finished, state, tables
FROM sys.snapshots WHERE repository = :repository
ORDER BY started DESC
LIMIT :limit

-- name: snapshot_get
SELECT name, started, finished, state, tables, failures
FROM sys.snapshots WHERE repository = :repository AND name = :name

-- name: tables_in_schema
SELECT table_name FROM information_schema.tables
WHERE table_schema = :schema AND table_name = ANY(:tables)
ORDER BY table_name
LIMIT 1000

-- name: publication_tables
SELECT pubname, schemaname, tablename FROM pg_catalog.pg_publication_tables
WHERE pubname = :name
ORDER BY schemaname, tablename
LIMIT 1000

-- name: subscription_get
SELECT subname, subpublications, subconninfo FROM pg_catalog.pg_subscription
WHERE subname = :name

-- name: subscription_tables
SELECT r.srrelid::TEXT AS table_name, r.srsubstate AS state, r.srsubstate_reason AS reason
FROM pg_catalog.pg_subscription s JOIN pg_catalog.pg_subscription_rel r ON s.oid = r.srsubid
WHERE s.subname = :name
ORDER BY 1
LIMIT 1000
