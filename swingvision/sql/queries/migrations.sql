-- The migration ledger (the table itself is created by schema_migrations_create, per dialect).

-- name: schema_migrations_list
SELECT version, name, applied_at, checksum FROM schema_migrations ORDER BY version LIMIT 10000

-- name: schema_migrations_insert
INSERT INTO schema_migrations (version, name, applied_at, checksum)
VALUES (:version, :name, :applied_at, :checksum)
