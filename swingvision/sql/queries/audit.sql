-- The audit log: one row per change, newest first. Filters are optional: '' means "any".
-- Paging is keyset on (at, id), so a page never shifts when new entries arrive.

-- name: audit_insert
-- Append one entry (id from monotonic_id: entries of one moment keep their order).
-- Audit.record then refreshes audit_log so the admin log shows it at once on CrateDB.
INSERT INTO audit_log (id, actor_id, action, target_type, target_id, player_id, before, after, at)
VALUES (:id, :actor_id, :action, :target_type, :target_id, :player_id, :before, :after, :at)

-- name: audit_page
-- A page of the admin audit log, newest first, older than the cursor (at, id), with the
-- optional filters. SQLite walks audit_log(at, id); one record's history is audit_for_target.
SELECT id, actor_id, action, target_type, target_id, player_id, before, after, at
FROM audit_log
WHERE (at < :before_at OR (at = :before_at AND id < :before_id))
  AND (:actor_id = '' OR actor_id = :actor_id)
  AND (:target_type = '' OR target_type = :target_type)
  AND (:target_id = '' OR target_id = :target_id)
  AND (:player_id = '' OR player_id = :player_id)
ORDER BY at DESC, id DESC
LIMIT :limit

-- name: audit_for_target
-- The history of one record (the user and video pages): served by the (target_type, target_id,
-- at) index in SQLite, where the optional filters of audit_page would scan the whole log.
SELECT id, actor_id, action, target_type, target_id, player_id, before, after, at
FROM audit_log
WHERE target_type = :target_type AND target_id = :target_id
  AND (at < :before_at OR (at = :before_at AND id < :before_id))
ORDER BY at DESC, id DESC
LIMIT :limit

-- name: audit_get
-- One audit entry by id (the admin's entry page): a real-time Get on CrateDB.
SELECT id, actor_id, action, target_type, target_id, player_id, before, after, at
FROM audit_log WHERE id = :id
