"""Issue #20 on every backend: the coach publishes what the player sees, and the answer to "Is
this slow motion?" analyses the swing again at the answered capture rate."""

from __future__ import annotations

import pytest

from analysis.corrections import set_capture_rate
from analysis.engine.synth import SwingParams, generate_swing
from analysis.pipeline import LoadedPoses, analyze_and_store
from swingvision.coaching import review
from swingvision.db.managers import SYSTEM, NotAllowed, ValidationError
from swingvision.db.managers.summaries import Summaries
from tests.backends import managers_fixture
from tests.dashboard.helpers import account

m = managers_fixture()


@pytest.fixture(scope="module")
def slow_swing(m):
    """A 60 fps swing stored as a 30 fps file without its rate (2x slow motion): too slow for
    real time, so its durations are unknown until the coach answers."""
    coach = account(m, "coach")
    player = account(m, "player", coach=coach)
    swing = generate_swing(SwingParams(fps=60.0, width=320, height=240, seed=7))
    video = m.videos.create(
        SYSTEM,
        player.id,
        filename="slowmo.mp4",
        status="processing",
        metadata={"fps": 30.0, "frame_count": swing.n_frames, "width": 320, "height": 240},
        duration_s=swing.n_frames / 30.0,
    )
    poses = LoadedPoses(keypoints=swing.keypoints, fps=30.0, source="synthetic", width=320,
                        height=240)  # fmt: skip
    analysis = analyze_and_store(m, video, poses, player=player)
    return coach, player, video, analysis, swing


def test_a_slow_clip_has_unknown_durations_until_the_rate_is_answered(m, slow_swing):
    coach, player, video, analysis, swing = slow_swing
    assert analysis.details["timing"]["state"] == "too slow for real time"
    assert analysis.metrics["downswing_s"] is None and analysis.metrics["tempo_ratio"] is not None
    with pytest.raises(NotAllowed):
        set_capture_rate(m, player, player.id, video.id, "2x")
    with pytest.raises(ValidationError) as bad:
        set_capture_rate(m, coach, player.id, video.id, "5x")
    assert bad.value.field == "rate"
    new = set_capture_rate(m, coach, player.id, video.id, "2x")
    assert new.details["fps"] == 60.0 and new.details["timing"]["state"] == "confirmed"
    truth = swing.metrics
    assert new.metrics["swing_time_s"] == pytest.approx(truth["swing_time_s"], abs=0.05)
    assert new.metrics["downswing_s"] == pytest.approx(truth["downswing_s"], abs=0.05)
    assert new.metrics["tempo_ratio"] == pytest.approx(analysis.metrics["tempo_ratio"], abs=0.2)
    stored = m.videos.get_system(player.id, video.id)
    assert stored.metadata["capture_fps"] == 60.0
    assert m.analyses.latest_for_video(coach, player.id, video.id).id == new.id
    # A wrong answer is not final: answering again analyses the swing at the new rate.
    again = set_capture_rate(m, coach, player.id, video.id, "3x")
    assert again.details["fps"] == 90.0 and again.details["timing"]["state"] == "confirmed"
    assert m.videos.get_system(player.id, video.id).metadata["capture_fps"] == 90.0
    assert set_capture_rate(m, coach, player.id, video.id, "2x").details["fps"] == 60.0


def test_the_coach_publishes_what_the_player_sees(m, slow_swing):
    coach, player, video, _, _ = slow_swing
    analysis = m.analyses.latest_for_video(coach, player.id, video.id)
    assert review.review_on(player) is review.REVIEW_DEFAULT is True
    assert review.visible_feedback(player, player, analysis) == []
    assert review.visible_feedback(coach, player, analysis) == analysis.feedback
    with pytest.raises(NotAllowed):
        m.admin.publish_feedback(player, player.id, analysis.id)
    done = m.admin.publish_feedback(coach, player.id, analysis.id)
    assert done.details["published"]["feedback"] == analysis.feedback
    assert done.details["published"]["by"] == coach.id
    assert review.visible_feedback(player, player, done) == analysis.feedback
    # Review off: the player reads the engine's feedback at once.
    off = m.admin.update_player_settings(
        coach, player.id, handedness="right", view="face-on", targets={}, review_feedback=False
    )
    assert not review.review_on(off)
    # The roster's score is of the usual view; it follows the setting.
    assert Summaries(m.db).for_coach(coach.id)[player.id].score_view == "face-on"
