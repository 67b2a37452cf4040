-- The drill library (Drills manager): drills per feedback aspect, one small table read whole.

-- name: drills_upsert
-- Create or edit one drill (Drills._write, which refreshes drills after it).
INSERT INTO drills (id, name, aspect, description, video_url, created_by, created_at)
VALUES (:id, :name, :aspect, :description, :video_url, :created_by, :created_at)
ON CONFLICT (id) DO UPDATE SET
  name = excluded.name, aspect = excluded.aspect, description = excluded.description,
  video_url = excluded.video_url

-- name: drills_insert_missing
-- The default library: a drill already there (perhaps edited by an admin) is left as it is.
INSERT INTO drills (id, name, aspect, description, video_url, created_by, created_at)
VALUES (:id, :name, :aspect, :description, :video_url, :created_by, :created_at)
ON CONFLICT (id) DO NOTHING

-- name: drills_get
-- One drill by id: a real-time Get on CrateDB.
SELECT id, name, aspect, description, video_url, created_by, created_at
FROM drills WHERE id = :id

-- name: drills_all
-- Per aspect, a coach's own drills (ULIDs, starting with a digit) before the default library's
-- (default-<aspect>-<n>, in the library's order).
SELECT id, name, aspect, description, video_url, created_by, created_at
FROM drills
ORDER BY aspect, id
LIMIT :limit

-- name: drills_for_aspect
-- The drills of one aspect (a few): the manager compares their names with a new or renamed
-- drill's, as neither dialect can (CrateDB has no unique constraint; the case-insensitive
-- comparison is Python's, the same on both).
SELECT id, name, aspect, description, video_url, created_by, created_at
FROM drills WHERE aspect = :aspect
ORDER BY id
LIMIT :limit

-- name: drills_delete
-- Delete one drill by id (its author or an admin, checked by the manager).
DELETE FROM drills WHERE id = :id
