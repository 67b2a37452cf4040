"""The dashboard's overlay-sync tests (tests/browser/test_dashboard_sync.py), run on a rotated
iPhone HEVC upload: its frames carry their own number, drawn upright at 1080x1920 and stored as
landscape HEVC in a .mov with a display matrix (tests/phone/phone_media.iphone_hevc), uploaded
through the upload page and processed by the worker, so the browser plays the H.264 rendition.
Played and stepped, every presented frame must be drawn with its own pose."""

from __future__ import annotations

import pytest

from tests.browser import test_dashboard_sync as dashboard_sync
from tests.conftest import screenshot
from tests.phone import phone_media
from tests.phone.flow import phone_team_app

from .dashboard_support import wait_replay, watch_errors

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def team(gateway, live_url, tmp_path_factory):
    with phone_team_app(tmp_path_factory.mktemp("phone-app"), ("iphone-hevc",), baked=False) as t:
        yield t


@pytest.fixture
def replay(page, live_url, browser_login, team, monkeypatch):
    """The dashboard tests' `replay` fixture, on the HEVC upload's swing page (their screenshots
    saved under names of their own)."""
    monkeypatch.setattr(
        dashboard_sync, "screenshot", lambda page, name: screenshot(page, f"phone-hevc-{name}")
    )
    video = team.swings["iphone-hevc"]
    swing = phone_media.phone_clips()["iphone-hevc"].swing
    assert swing.fps == dashboard_sync.FPS and video.metadata["playback_fps"] == swing.fps
    errors = watch_errors(page)
    browser_login(page, team.coach)
    page.goto(f"{live_url}/players/{team.player.id}/swings/{video.id}/?debug=sync")
    wait_replay(page)
    page.wait_for_function("() => document.querySelector('video').readyState >= 3")
    # What the browser decodes is the upright rendition, not the sideways original.
    size = page.evaluate(
        "() => { const v = document.querySelector('video'); return [v.videoWidth, v.videoHeight]; }"
    )
    assert size == [1080, 1920]
    yield page, swing
    assert not errors, errors


@pytest.mark.parametrize("speed", ["0.25", "1"])
def test_the_drawn_pose_is_the_frame_the_video_shows(replay, speed):
    dashboard_sync.test_the_drawn_pose_is_the_frame_the_video_shows(replay, speed)


def test_frame_stepping_lands_on_exactly_the_next_frame(replay):
    dashboard_sync.test_frame_stepping_lands_on_exactly_the_next_frame(replay)
