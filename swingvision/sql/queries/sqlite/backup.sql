-- Backups: the primary key of a table, so content checksums read rows in a stable order.

-- name: schema_primary_key
-- A table's primary-key columns in key order (pragma_table_info): backup checksums read rows in
-- that order.
SELECT name FROM pragma_table_info(:table_name) WHERE pk > 0 ORDER BY pk
