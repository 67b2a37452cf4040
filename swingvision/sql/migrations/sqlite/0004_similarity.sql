-- Pose and swing similarity search (issue #7).
-- Per-pose attributes the search filters on: the swing phase a frame belongs to (an event name,
-- or the phase between two events), the camera view and the golfer's handedness at analysis time.
ALTER TABLE poses ADD COLUMN phase TEXT;
ALTER TABLE poses ADD COLUMN view TEXT;
ALTER TABLE poses ADD COLUMN left_handed INTEGER;

-- The change feed that keeps every process's in-memory similarity index current
-- (swingvision/similarity/index.py). One row per (kind, video): a write to any pose or analysis
-- of a video moves that video's row to a new, larger seq (AUTOINCREMENT never reuses a seq, even
-- after the largest row is deleted). A process compares max(seq) with the seq it has loaded up
-- to, and reloads only the videos whose rows are newer. Triggers fill it, so every writer counts:
-- the worker process, the web processes, admin deletes, commands.
CREATE TABLE IF NOT EXISTS similarity_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('pose', 'swing')),
  video_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  UNIQUE (kind, video_id, user_id)
);

-- Videos stored before this migration enter the feed once, so the first load finds them.
INSERT INTO similarity_changes (kind, video_id, user_id)
SELECT DISTINCT 'pose', video_id, user_id FROM poses;
INSERT INTO similarity_changes (kind, video_id, user_id)
SELECT DISTINCT 'swing', video_id, user_id FROM swing_analysis;

-- Delete, then insert: an `INSERT OR REPLACE` here would take the conflict policy of the outer
-- statement (the poses upsert), which aborts.
CREATE TRIGGER IF NOT EXISTS poses_similarity_insert AFTER INSERT ON poses BEGIN
  DELETE FROM similarity_changes
  WHERE kind = 'pose' AND video_id = NEW.video_id AND user_id = NEW.user_id;
  INSERT INTO similarity_changes (kind, video_id, user_id) VALUES ('pose', NEW.video_id, NEW.user_id);
END;

CREATE TRIGGER IF NOT EXISTS poses_similarity_update AFTER UPDATE ON poses BEGIN
  DELETE FROM similarity_changes
  WHERE kind = 'pose' AND video_id = OLD.video_id AND user_id = OLD.user_id;
  INSERT INTO similarity_changes (kind, video_id, user_id) VALUES ('pose', OLD.video_id, OLD.user_id);
  DELETE FROM similarity_changes
  WHERE kind = 'pose' AND video_id = NEW.video_id AND user_id = NEW.user_id;
  INSERT INTO similarity_changes (kind, video_id, user_id) VALUES ('pose', NEW.video_id, NEW.user_id);
END;

CREATE TRIGGER IF NOT EXISTS poses_similarity_delete AFTER DELETE ON poses BEGIN
  DELETE FROM similarity_changes
  WHERE kind = 'pose' AND video_id = OLD.video_id AND user_id = OLD.user_id;
  INSERT INTO similarity_changes (kind, video_id, user_id) VALUES ('pose', OLD.video_id, OLD.user_id);
END;

CREATE TRIGGER IF NOT EXISTS swing_analysis_similarity_insert AFTER INSERT ON swing_analysis BEGIN
  DELETE FROM similarity_changes
  WHERE kind = 'swing' AND video_id = NEW.video_id AND user_id = NEW.user_id;
  INSERT INTO similarity_changes (kind, video_id, user_id) VALUES ('swing', NEW.video_id, NEW.user_id);
END;

CREATE TRIGGER IF NOT EXISTS swing_analysis_similarity_update AFTER UPDATE ON swing_analysis BEGIN
  DELETE FROM similarity_changes
  WHERE kind = 'swing' AND video_id = OLD.video_id AND user_id = OLD.user_id;
  INSERT INTO similarity_changes (kind, video_id, user_id) VALUES ('swing', OLD.video_id, OLD.user_id);
  DELETE FROM similarity_changes
  WHERE kind = 'swing' AND video_id = NEW.video_id AND user_id = NEW.user_id;
  INSERT INTO similarity_changes (kind, video_id, user_id) VALUES ('swing', NEW.video_id, NEW.user_id);
END;

CREATE TRIGGER IF NOT EXISTS swing_analysis_similarity_delete AFTER DELETE ON swing_analysis BEGIN
  DELETE FROM similarity_changes
  WHERE kind = 'swing' AND video_id = OLD.video_id AND user_id = OLD.user_id;
  INSERT INTO similarity_changes (kind, video_id, user_id) VALUES ('swing', OLD.video_id, OLD.user_id);
END;
