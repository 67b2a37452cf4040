-- Numbers a coach can trust (issue #20): the roster's latest score and trend come from swings of
-- one camera view only (the player's usual view, swingvision/db/managers/camera.py), never
-- face-on and down-the-line mixed. score_view names that view, so the roster can say it.
ALTER TABLE player_summary ADD COLUMN score_view TEXT;
