-- Coach tools (Coaching manager): the feedback the practice plan weighs.

-- name: analyses_feedback_recent_for_player
-- The newest analyses of a player with their feedback: what the practice plan is made of.
SELECT id AS analysis_id, video_id, analyzed_at, feedback, details
FROM swing_analysis WHERE user_id = :user_id
ORDER BY analyzed_at DESC, id DESC
LIMIT :limit
