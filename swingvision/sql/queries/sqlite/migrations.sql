-- name: schema_migrations_create
CREATE TABLE IF NOT EXISTS schema_migrations (
  version TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  checksum TEXT NOT NULL
)

-- name: schema_columns
SELECT name FROM pragma_table_info(:table_name) ORDER BY cid
