-- name: schema_migrations_create
-- The migration ledger, created before any migration runs; applied_at is a TIMESTAMP WITH
-- TIME ZONE here (an INTEGER of epoch ms in SQLite).
CREATE TABLE IF NOT EXISTS schema_migrations (
  version TEXT NOT NULL,
  name TEXT NOT NULL,
  applied_at TIMESTAMP WITH TIME ZONE NOT NULL,
  checksum TEXT NOT NULL,
  PRIMARY KEY (version)
)

-- name: schema_columns
-- A table's top-level column names in the current schema, in order; none when it does not exist.
-- information_schema also lists object sub-columns (a['b'], a.b): those are left out.
SELECT column_name AS name FROM information_schema.columns
WHERE table_schema = CURRENT_SCHEMA AND table_name = :table_name
  AND column_name NOT LIKE '%[%' AND column_name NOT LIKE '%.%'
ORDER BY ordinal_position
LIMIT 1000
