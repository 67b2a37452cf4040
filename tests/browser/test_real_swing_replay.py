"""The real GolfDB clip through the worker (MediaPipe extraction, the full engine) and its
replay: the page's Top and Impact buttons show the engine's frames with the skeleton drawn.
Screenshots: test-output/real-swing-top.png, test-output/real-swing-impact.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from analysis import worker
from analysis.engine import EVENT_NAMES
from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store, video_key
from tests.browser.dashboard_support import frame_of, wait_replay, watch_errors
from tests.conftest import SHARED_DATA, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_real_swing_replay_at_top_and_impact(page, live_url, browser_login, mgr, make_user):
    from analysis.engine.extract import mediapipe_available

    assert mediapipe_available(), "the pose extra must be installed (pip install .[pose])"
    coach = make_user("coach", name="Casey Camera")
    player = make_user("player", coach=coach, settings={"view": "down-the-line"})
    video = mgr.videos.create(
        SYSTEM,
        player.id,
        filename="real.mp4",
        metadata={"fps": 29.97, "width": 354, "height": 492, "view": "down-the-line"},
    )
    with (SHARED_DATA / "golfdb" / "test_video.mp4").open("rb") as fh:
        ref = get_store().put(video_key(player.id, video.id, "real.mp4"), fh)
    mgr.videos.update(video, blob_ref=ref)
    worker.run_once(mgr)
    done = mgr.videos.get(SYSTEM, player.id, video.id)
    assert done.status == "analyzed", done.metadata.get("error")
    analysis = mgr.analyses.latest_for_video(SYSTEM, player.id, video.id)
    frames = [analysis.events[name] for name in EVENT_NAMES]
    assert frames == sorted(frames) and len(set(frames)) == 8, analysis.events
    assert analysis.details["timing"]["too_slow_for_real_time"] is True  # ~3x slow motion

    errors = watch_errors(page)
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    for name in ("top", "impact"):
        page.locator(f"button.phase[data-phase={name}]").first.click()
        root = page.locator("[data-replay][data-role=a]")
        expect(root).to_have_attribute("data-frame", str(analysis.events[name]), timeout=10000)
        page.wait_for_timeout(300)  # the frame's picture and skeleton are drawn after the seek
        assert frame_of(page) == analysis.events[name]
        screenshot(page, f"real-swing-{name}")
    assert not [e for e in errors if "favicon" not in e], errors
