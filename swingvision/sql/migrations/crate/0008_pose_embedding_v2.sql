-- Pose embedding version 2 (issue #18): FLOAT_VECTOR(62) per pose instead of FLOAT_VECTOR(39),
-- and FLOAT_VECTOR(496) per swing instead of FLOAT_VECTOR(312). CrateDB cannot change a vector
-- column's dimension, so each column is dropped and added again under the same name with the
-- new one (CrateDB >= 5.5 drops columns; the deployment runs 5.10): every query, the KNN_MATCH
-- searches included, keeps its column names, and the old vectors, which cannot be compared with
-- new ones, go with the old column. `manage.py reanalyze --outdated` fills the new columns from
-- the stored poses; until then those swings are simply not searched (their vectors are NULL).
ALTER TABLE poses DROP COLUMN embedding;
ALTER TABLE poses ADD COLUMN embedding FLOAT_VECTOR(62);
ALTER TABLE swing_analysis DROP COLUMN swing_embedding;
ALTER TABLE swing_analysis ADD COLUMN swing_embedding FLOAT_VECTOR(496);
