-- Pose embedding version 2 (issue #18): 62 numbers per pose (2D pose, arm motion, still/moving)
-- instead of version 1's 39, and swing vectors of 8 x 62 = 496 instead of 312. A BLOB holds any
-- length, so the schema keeps its columns; the old vectors cannot be compared with new ones and
-- are cleared here (the updates move every video through the similarity change feed, and the
-- schema change reloads every process's index). `manage.py reanalyze --outdated` recomputes them
-- from the stored poses; until then those swings are simply not searched.
UPDATE poses SET embedding = NULL
WHERE embedding IS NOT NULL AND length(embedding) <> 62 * 4;
UPDATE swing_analysis SET swing_embedding = NULL
WHERE swing_embedding IS NOT NULL AND length(swing_embedding) <> 496 * 4;
