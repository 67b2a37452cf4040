"""Overlay sync in headless Chromium: the video shows frame k exactly when the skeleton of frame k
is drawn. "The frame the video shows" is read from the pixels: each frame of this swing carries its
number as a row of black and white blocks (tests/browser/coded_swing.py), which the replay decodes
in every requestVideoFrameCallback when the page is opened with ?debug=sync."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot, unique
from tests.dashboard.helpers import account

from .coded_swing import make_coded_swing
from .dashboard_support import frame_of, wait_replay, watch_errors

pytestmark = pytest.mark.browser

FPS = 30.0


@pytest.fixture(scope="module")
def coded(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Sync Coach")
    player = account(m, "player", coach=coach, name="Coded Swing")
    video, swing = make_coded_swing(m, player, video_id=unique("coded-"), fps=FPS)
    return coach, player, video, swing


@pytest.fixture
def replay(page, live_url, browser_login, coded):
    coach, player, video, swing = coded
    errors = watch_errors(page)
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/?debug=sync")
    wait_replay(page)
    page.wait_for_function("() => document.querySelector('video').readyState >= 3")
    yield page, swing
    assert not errors, errors


def sync_log(page) -> list[dict]:
    return page.evaluate("() => window.__svSync.slice()")


def clear_log(page) -> None:
    page.evaluate("() => { window.__svSync.length = 0; }")


def seek_to(page, frame: int) -> None:
    page.locator("[data-scrub]").fill(str(frame))
    expect(page.locator("[data-replay]")).to_have_attribute("data-frame", str(frame))


def play_through(page, speed: str, n_frames: int) -> list[dict]:
    """Play the whole swing from frame 0 at `speed`; the log of every presented frame."""
    page.click(f"[data-speed='{speed}']")
    seek_to(page, 0)
    page.wait_for_timeout(200)
    clear_log(page)
    page.click("[data-act=play]")
    expect(page.locator("[data-act=play]")).to_have_text("Pause")
    seconds = n_frames / FPS / float(speed)
    expect(page.locator("[data-act=play]")).to_have_text("Play", timeout=(seconds + 10) * 1000)
    return [e for e in sync_log(page) if e["playing"]]


@pytest.mark.parametrize("speed", ["0.25", "1"])
def test_the_drawn_pose_is_the_frame_the_video_shows(replay, speed):
    page, swing = replay
    log = play_through(page, speed, swing.n_frames)
    # Headless Chromium may skip frames at 1x; each presented frame must still match.
    assert len(log) >= (0.9 if speed == "0.25" else 0.5) * swing.n_frames, len(log)
    codes = [e["code"] for e in log]
    assert codes == sorted(codes), "the video went backwards while playing"
    assert codes[-1] == swing.n_frames - 1
    agree = sum(e["code"] == e["drawnPoseFrame"] for e in log)
    worst = max(abs(e["code"] - e["drawnPoseFrame"]) for e in log)
    assert agree >= 0.99 * len(log), (
        agree,
        len(log),
        [e for e in log if e["code"] != e["drawnPoseFrame"]],
    )
    assert worst <= 1
    # The frame comes from the presented frame's mediaTime at the video's real frame rate.
    for e in log:
        assert e["drawnPoseFrame"] == min(round(e["mediaTime"] * FPS), swing.n_frames - 1)
        assert e["rate"] == float(speed)
    screenshot(page, f"dashboard-sync-{speed}x")


def test_frame_stepping_lands_on_exactly_the_next_frame(replay):
    page, swing = replay
    top = int(page.locator("[data-phase=top]").get_attribute("data-frame"))
    page.click("[data-phase=top]")
    expect(page.locator("[data-replay]")).to_have_attribute("data-frame", str(top))
    page.wait_for_function("(f) => window.__svSync.some((e) => e.code === f)", arg=top)
    assert sync_log(page)[-1]["code"] == top
    k = top
    for key, delta in [(".", 1), (".", 1), (".", 1), (",", -1), (".", 1), (".", 1)]:
        clear_log(page)
        page.keyboard.press(key)
        k += delta
        expect(page.locator("[data-replay]")).to_have_attribute("data-frame", str(k))
        page.wait_for_function("() => window.__svSync.length > 0")
        shown = sync_log(page)[-1]
        assert shown["code"] == k, (key, shown)  # the pixels are frame k
        assert shown["drawnPoseFrame"] == k
    # The buttons step the same way, and the first and last frames hold at the ends.
    clear_log(page)
    page.click("[data-act=forward]")
    expect(page.locator("[data-replay]")).to_have_attribute("data-frame", str(k + 1))
    page.wait_for_function("() => window.__svSync.length > 0")
    assert sync_log(page)[-1]["code"] == k + 1
    seek_to(page, 0)
    page.keyboard.press(",")
    page.wait_for_timeout(300)
    assert frame_of(page, "[data-replay]") == 0
    screenshot(page, "dashboard-sync-stepped")
