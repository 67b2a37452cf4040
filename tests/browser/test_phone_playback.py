"""Phone clips play in headless Chromium: each uploaded clip's replay page loads its rendition to
readyState 4 at the display orientation and length of the original; the original iPhone HEVC
would not play; slow motion steps one captured frame at a time."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from swingvision.videos.probe import probe_video
from tests.conftest import screenshot
from tests.phone import phone_media
from tests.phone.flow import all_clips_team

pytestmark = pytest.mark.browser

team = pytest.fixture(scope="module")(all_clips_team)

# Waits for the element to have everything it needs to play through (readyState 4), then reports.
VIDEO_STATE = """async (selector) => {
  const v = document.querySelector(selector);
  const deadline = Date.now() + 20000;
  while (v.readyState < 4 && !v.error && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ready: v.readyState, width: v.videoWidth, height: v.videoHeight,
           duration: v.duration, error: v.error ? v.error.code : null, src: v.currentSrc };
}"""


@pytest.mark.parametrize("kind", phone_media.CLIP_KINDS)
def test_each_phone_clip_plays_in_chromium(kind, team, page, live_url, browser_login):
    clip = phone_media.phone_clips()[kind]
    original = probe_video(clip.path)
    video = team.swings[kind]
    browser_login(page, team.coach)
    page.goto(f"{live_url}/players/{team.player.id}/swings/{video.id}/")
    expect(page.locator("[data-replay]")).to_have_attribute("data-ready", "true", timeout=20_000)
    got = page.evaluate(VIDEO_STATE, "[data-replay] video[data-video]")
    assert got["error"] is None and got["ready"] == 4, got
    assert (got["width"], got["height"]) == clip.display == (original.width, original.height)
    assert got["src"].endswith(f"/swings/{video.id}/video")
    fps = video.metadata["playback_fps"]
    # Every frame of the original is there: the length is frame count / rate.
    assert round(got["duration"] * fps) == original.frame_count, (got, fps)
    if kind == "iphone-hevc":
        screenshot(page, "phone-hevc-replay")


def test_the_original_iphone_file_would_not_play(team, page, live_url, browser_login):
    """Why the rendition exists: Chromium has no HEVC decoder (a black box for the coach)."""
    video = team.swings["iphone-hevc"]
    browser_login(page, team.coach)
    page.goto(f"{live_url}/players/{team.player.id}/upload/")
    can_play = page.evaluate(
        """() => document.createElement("video").canPlayType('video/mp4; codecs="hvc1.1.6.L93.B0"')"""
    )
    assert can_play == ""
    got = page.evaluate(
        """async (src) => {
          const v = document.createElement("video");
          v.muted = true;
          v.preload = "auto";
          const done = new Promise((r) => {
            v.addEventListener("error", () => r("error"), { once: true });
            v.addEventListener("loadeddata", () => r("loaded"), { once: true });
            setTimeout(() => r("timeout"), 10000);
          });
          v.src = src;
          document.body.append(v);
          const how = await done;
          return { how, width: v.videoWidth, ready: v.readyState };
        }""",
        f"/players/{team.player.id}/swings/{video.id}/video?original=1",
    )
    assert got["how"] != "loaded" or got["width"] == 0, got


def test_slow_motion_steps_one_captured_frame_at_a_time(team, page, live_url, browser_login):
    video = team.swings["baked-8x"]
    browser_login(page, team.coach)
    page.goto(f"{live_url}/players/{team.player.id}/swings/{video.id}/")
    replay = page.locator("[data-replay][data-role=a]")
    expect(replay).to_have_attribute("data-ready", "true", timeout=20_000)
    expect(page.locator("#capture-rate")).to_have_text("filmed at 240 fps, plays 8× slower")
    label = page.locator("[data-frame-label]")
    page.locator('[data-act="forward"]').click()
    expect(replay).to_have_attribute("data-frame", "1")
    for _ in range(23):
        page.keyboard.press(".")
    expect(replay).to_have_attribute("data-frame", "24")
    # 24 captured frames are 0.10 s of the swing (3.2 s of this 8x slow file at 30 fps).
    expect(label).to_contain_text("frame 24 / ")
    expect(label).to_contain_text("· 0.10 s")
    current = page.evaluate("() => document.querySelector('[data-video]').currentTime")
    assert abs(current - 24.5 / 30) < 0.5 / 30, current  # the seek aims at frame 24's middle
