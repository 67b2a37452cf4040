-- name: schema_migrations_create
CREATE TABLE IF NOT EXISTS schema_migrations (
  version TEXT NOT NULL,
  name TEXT NOT NULL,
  applied_at TIMESTAMP WITH TIME ZONE NOT NULL,
  checksum TEXT NOT NULL,
  PRIMARY KEY (version)
)

-- name: schema_columns
SELECT column_name AS name FROM information_schema.columns
WHERE table_schema = CURRENT_SCHEMA AND table_name = :table_name
  AND column_name NOT LIKE '%[%' AND column_name NOT LIKE '%.%'
ORDER BY ordinal_position
LIMIT 1000
