"""Slow motion keeps real-time metrics honest: a 240 fps clip, and the same swing baked into a
30 fps file (8x slow) with its capture rate given on upload, both measure the swing's true tempo
and swing time; the replay data steps one captured frame at a time."""

from __future__ import annotations

import pytest

from analysis.synth import SwingParams, generate_swing, render_video
from swingvision.db.managers import SYSTEM

from . import phone_media
from .flow import process, upload

TEMPO_TOLERANCE = 0.1  # ratio
SWING_TIME_TOLERANCE = 0.02  # s: under 5 frames at 240 fps


@pytest.fixture(scope="module")
def swing240():
    return generate_swing(
        SwingParams(fps=240.0, width=160, height=120, seed=21, noise=0.002, **phone_media.SHORT)
    )


@pytest.fixture
def team(make_user):
    coach = make_user("coach")
    return coach, make_user("player", coach=coach)


def analysed(mgr, login_client, team, path, swing, **fields):
    coach, player = team
    c = login_client(coach)
    # A pose file without a frame rate: durations come from the video or the form alone.
    sent = upload(
        c,
        player.id,
        path,
        content_type="video/mp4",
        pose=phone_media.pose_csv(swing, with_fps=False),
        **fields,
    )
    done = process(mgr, player.id, sent["id"])
    assert done.status == "analyzed", done.metadata
    analysis = mgr.analyses.latest_for_video(SYSTEM, player.id, done.id)
    return c, done, analysis


def test_a_240fps_clip_measures_the_true_tempo_and_swing_time(
    swing240, mgr, login_client, team, tmp_path
):
    path = tmp_path / "slowmo-240.mp4"
    render_video(swing240, path)
    c, video, analysis = analysed(mgr, login_client, team, path, swing240)
    assert video.metadata["fps"] == 240.0 and "capture_fps" not in video.metadata
    truth = swing240.metrics
    assert analysis.details["fps"] == 240.0
    assert analysis.metrics["tempo_ratio"] == pytest.approx(
        truth["tempo_ratio"], abs=TEMPO_TOLERANCE
    )
    assert analysis.metrics["swing_time_s"] == pytest.approx(
        truth["swing_time_s"], abs=SWING_TIME_TOLERANCE
    )
    # The replay plays the 240 fps rendition and steps 1/240 s per frame.
    poses = c.get(f"/players/{video.user_id}/swings/{video.id}/poses.json").json()
    assert poses["fps"] == poses["capture_fps"] == 240.0
    assert poses["n"] == swing240.n_frames


def test_baked_in_8x_slow_motion_with_its_capture_rate(swing240, mgr, login_client, team, tmp_path):
    path = tmp_path / "slowmo-baked.mp4"
    render_video(swing240, path, frame_rate_override=30.0)  # every 240 fps frame, played at 30
    c, video, analysis = analysed(mgr, login_client, team, path, swing240, capture_fps="240")
    assert video.metadata["fps"] == 30.0 and video.metadata["capture_fps"] == 240.0
    assert video.duration_s == pytest.approx(8 * swing240.n_frames / 240.0, rel=1e-3)
    truth = swing240.metrics
    assert analysis.details["fps"] == 240.0
    assert analysis.metrics["tempo_ratio"] == pytest.approx(
        truth["tempo_ratio"], abs=TEMPO_TOLERANCE
    )
    assert analysis.metrics["swing_time_s"] == pytest.approx(
        truth["swing_time_s"], abs=SWING_TIME_TOLERANCE
    )
    # The replay maps video time with the file's 30 fps and counts durations at 240: one step is
    # one captured frame, 1/240 s of the swing.
    poses = c.get(f"/players/{video.user_id}/swings/{video.id}/poses.json").json()
    assert (poses["fps"], poses["capture_fps"]) == (30.0, 240.0)
    assert poses["n"] == swing240.n_frames
    page = c.get(f"/players/{video.user_id}/swings/{video.id}/").content.decode()
    assert "filmed at 240 fps, plays 8× slower" in page
    api = c.get(f"/api/v1/players/{video.user_id}/videos/{video.id}").json()
    assert api["video"]["metadata"]["capture_fps"] == 240.0


def test_without_the_capture_rate_a_baked_in_clip_is_no_swing_at_all(
    mgr, login_client, team, swing240, tmp_path
):
    """The control: the same file without capture_fps is taken as real time, 8x too slow: no
    downswing is that slow, so the analysis says so instead of reporting wrong numbers. This is
    why the upload form and the API ask for the capture rate of slow-motion files."""
    coach, player = team
    path = tmp_path / "slowmo-baked-unlabelled.mp4"
    render_video(swing240, path, frame_rate_override=30.0)
    sent = upload(
        login_client(coach),
        player.id,
        path,
        content_type="video/mp4",
        pose=phone_media.pose_csv(swing240, with_fps=False),
    )
    done = process(mgr, player.id, sent["id"])
    assert done.status == "failed"
    assert "no swing found" in done.metadata["error"], done.metadata["error"]
