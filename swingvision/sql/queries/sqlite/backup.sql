-- Backups: the primary key of a table, so content checksums read rows in a stable order.

-- name: schema_primary_key
SELECT name FROM pragma_table_info(:table_name) WHERE pk > 0 ORDER BY pk
