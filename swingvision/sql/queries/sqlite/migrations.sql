-- name: schema_migrations_create
-- The migration ledger, created before any migration runs (it records them, so it is not one).
CREATE TABLE IF NOT EXISTS schema_migrations (
  version TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  checksum TEXT NOT NULL
)

-- name: schema_columns
-- A table's column names in order (pragma_table_info); none when the table does not exist,
-- which is how migrate and backups tell whether a table is there.
SELECT name FROM pragma_table_info(:table_name) ORDER BY cid
