-- The migration ledger (the table itself is created by schema_migrations_create, per dialect).

-- name: schema_migrations_list
-- Every applied migration with its checksum, by version (migrate compares them with the files).
-- On CrateDB migrate refreshes schema_migrations before reading it.
SELECT version, name, applied_at, checksum FROM schema_migrations ORDER BY version LIMIT 10000

-- name: schema_migrations_insert
-- Record one applied migration: version, name, time and the file's checksum.
INSERT INTO schema_migrations (version, name, applied_at, checksum)
VALUES (:version, :name, :applied_at, :checksum)
