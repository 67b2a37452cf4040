-- Backups: the primary key of a table, so content checksums read rows in a stable order.

-- name: schema_primary_key
-- A table's primary-key columns in key order (information_schema.key_column_usage, current
-- schema): backup checksums read rows in that order.
SELECT column_name AS name FROM information_schema.key_column_usage
WHERE table_schema = CURRENT_SCHEMA AND table_name = :table_name
ORDER BY ordinal_position
LIMIT 100
