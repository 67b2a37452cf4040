"""Slow motion keeps real-time metrics honest: a 240 fps clip, and the same swing baked into a
30 fps file (8x slow) with its capture rate given on upload, both measure the swing's true tempo
and swing time; the replay data steps one captured frame at a time."""

from __future__ import annotations

import pytest

from analysis.engine.synth import render_video
from swingvision.db.managers import SYSTEM

from . import phone_media
from .flow import process, upload

TEMPO_TOLERANCE = 0.1  # ratio
SWING_TIME_TOLERANCE = 0.02  # s: under 5 frames at 240 fps


@pytest.fixture(scope="module")
def swing240():
    return phone_media.baked_slow_motion()


@pytest.fixture
def team(make_user):
    coach = make_user("coach")
    return coach, make_user("player", coach=coach)


def uploaded(mgr, login_client, team, path, swing, **fields):
    """The clip through the upload page (with `fields`) and the worker; (client, video)."""
    coach, player = team
    c = login_client(coach)
    # A pose file without a frame rate: durations come from the video or the form alone.
    pose = phone_media.pose_csv(swing, with_fps=False)
    sent = upload(c, player.id, path, content_type="video/mp4", pose=pose, **fields)
    return c, process(mgr, player.id, sent["id"])


def assert_true_timing(mgr, video, swing) -> None:
    """Analysed at the capture rate, with the swing's true tempo and swing time."""
    assert video.status == "analyzed", video.metadata
    analysis = mgr.analyses.latest_for_video(SYSTEM, video.user_id, video.id)
    assert analysis.details["fps"] == swing.fps == 240.0
    truth = swing.metrics
    tempo, swing_time = analysis.metrics["tempo_ratio"], analysis.metrics["swing_time_s"]
    assert tempo == pytest.approx(truth["tempo_ratio"], abs=TEMPO_TOLERANCE)
    assert swing_time == pytest.approx(truth["swing_time_s"], abs=SWING_TIME_TOLERANCE)


def test_a_240fps_clip_measures_the_true_tempo_and_swing_time(
    swing240, mgr, login_client, team, tmp_path
):
    path = tmp_path / "slowmo-240.mp4"
    render_video(swing240, path)
    c, video = uploaded(mgr, login_client, team, path, swing240)
    assert video.metadata["fps"] == 240.0 and "capture_fps" not in video.metadata
    assert_true_timing(mgr, video, swing240)
    # The replay plays the 240 fps rendition and steps 1/240 s per frame.
    poses = c.get(f"/players/{video.user_id}/swings/{video.id}/poses.json").json()
    assert poses["fps"] == poses["capture_fps"] == 240.0
    assert poses["n"] == swing240.n_frames


def test_baked_in_8x_slow_motion_with_its_capture_rate(swing240, mgr, login_client, team, tmp_path):
    path = tmp_path / "slowmo-baked.mp4"
    render_video(swing240, path, frame_rate_override=30.0)  # every 240 fps frame, played at 30
    c, video = uploaded(mgr, login_client, team, path, swing240, capture_fps="240")
    assert video.metadata["fps"] == 30.0 and video.metadata["capture_fps"] == 240.0
    assert video.duration_s == pytest.approx(8 * swing240.n_frames / 240.0, rel=1e-3)
    assert_true_timing(mgr, video, swing240)
    # The replay maps video time with the file's 30 fps and counts durations at 240: one step is
    # one captured frame, 1/240 s of the swing.
    poses = c.get(f"/players/{video.user_id}/swings/{video.id}/poses.json").json()
    assert (poses["fps"], poses["capture_fps"]) == (30.0, 240.0)
    assert poses["n"] == swing240.n_frames
    page = c.get(f"/players/{video.user_id}/swings/{video.id}/").content.decode()
    assert "filmed at 240 fps, plays 8× slower" in page
    # The player's list shows the swing's real length, not the file's, and says why.
    listing = c.get(f"/players/{video.user_id}/").content.decode()
    row = listing[listing.index(f'id="swing-{video.id}"') :]
    row = row[: row.index("</tr>")]
    assert f"{swing240.n_frames / 240.0:.1f} s" in row and "8× slow motion" in row
    assert f"{video.duration_s:.1f} s file filmed at 240 fps" in row
    api = c.get(f"/api/v1/players/{video.user_id}/videos/{video.id}").json()
    assert api["video"]["metadata"]["capture_fps"] == 240.0


def test_without_the_capture_rate_a_baked_in_clip_is_no_swing_at_all(
    mgr, login_client, team, swing240, tmp_path
):
    """The control: the same file without capture_fps is taken as real time, 8x too slow: no
    downswing is that slow, so the analysis says so instead of reporting wrong numbers. This is
    why the upload form and the API ask for the capture rate of slow-motion files."""
    path = tmp_path / "slowmo-baked-unlabelled.mp4"
    render_video(swing240, path, frame_rate_override=30.0)
    _, video = uploaded(mgr, login_client, team, path, swing240)
    assert video.status == "failed"
    assert "no swing found" in video.metadata["error"], video.metadata["error"]
