-- Pose and swing similarity search (issue #7).
-- Per-pose attributes the search filters on: the swing phase a frame belongs to (an event name,
-- or the phase between two events), the camera view and the golfer's handedness at analysis time.
-- They sit on the pose row because KNN_MATCH filters the rows of one table: a join would run
-- after the vector search and lose the candidates it filtered out.
-- CrateDB needs no change feed (the SQLite dialect's similarity_changes): KNN_MATCH searches the
-- live table, where a write shows after the refresh the pose writer already issues.
ALTER TABLE poses ADD COLUMN phase TEXT;
ALTER TABLE poses ADD COLUMN view TEXT;
ALTER TABLE poses ADD COLUMN left_handed BOOLEAN;
