"""Uploading from the page in headless Chromium (progress, then the new row), and a stored video
that the browser plays and seeks to a frame through the Range-serving playback view."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from swingvision.db.managers import SYSTEM
from tests.conftest import screenshot
from tests.videos import media

pytestmark = pytest.mark.browser

FPS = 30
FRAMES = 60
WIDTH = 96  # media.make_video draws a 4 px bar at x = (5 * frame) % width


@pytest.fixture
def team(make_user):
    coach = make_user("coach", name="Casey Camera")
    return coach, make_user("player", coach=coach, name="Pat Putt")


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("browser-media")
    return {
        "swing": media.make_video(d / "range-swing.mp4", frames=12),
        "seek": media.make_video(
            d / "seek.mp4", frames=FRAMES, width=WIDTH, height=64, fps=FPS, faststart=True
        ),
    }


def test_upload_from_the_player_page_shows_progress_and_the_new_swing(
    page, live_url, browser_login, team, clips, mgr
):
    coach, player = team
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and errors.append(r.url))
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/")
    # The button loads the upload panel with htmx; its module starts inside the swapped partial.
    page.click("#upload-swings")
    expect(page.locator("#upload-panel")).to_be_visible()
    expect(page.locator("form.upload-form.js-upload")).to_have_count(1)  # upload.js started
    assert page.url.endswith(f"/players/{player.id}/")
    page.set_input_files("#upload-files", str(clips["swing"]))
    row = page.locator(".upload-queue .upload-item")
    expect(row).to_have_count(1)
    expect(row.locator("[data-name]")).to_have_text("range-swing.mp4")
    row.locator("[data-field=club]").fill("8-iron")
    row.locator("[data-field=view]").select_option("down-the-line")
    page.click("[data-upload-submit]")
    expect(row.locator("[data-state]")).to_have_text("uploaded", timeout=20_000)
    assert row.locator("progress").get_attribute("value") == "100"
    # The list refreshed itself with the new swing, waiting for analysis.
    new_row = page.locator("#recent-swings tbody tr", has_text="range-swing.mp4")
    expect(new_row).to_have_count(1)
    expect(new_row.locator(".status")).to_have_text("uploaded")
    expect(new_row.locator(".expiry")).to_contain_text("video until")
    screenshot(page, "upload-progress")
    video = mgr.videos.for_player(SYSTEM, player.id)[0]
    assert video.filename == "range-swing.mp4" and video.status == "uploaded"
    assert video.metadata["club"] == "8-iron" and video.metadata["view"] == "down-the-line"
    # The status cell polls: once the worker moves the swing on, the page follows.
    assert mgr.videos.transition(video, "uploaded", "processing")
    expect(new_row.locator(".status")).to_have_text("processing", timeout=10_000)
    assert not errors, errors


def test_a_rejected_file_says_why_in_the_page(page, live_url, browser_login, team, tmp_path):
    coach, player = team
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/upload/")
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("not a video\n" * 100)
    page.set_input_files("#upload-files", str(bogus))
    page.click("[data-upload-submit]")
    state = page.locator(".upload-item [data-state]")
    expect(state).to_contain_text("notes.mp4: not a video file", timeout=20_000)
    expect(page.locator(".upload-item")).to_have_attribute("data-state", "error")


def test_the_queue_shows_each_files_real_size(page, live_url, browser_login, team, tmp_path):
    """An empty file reads "0 bytes" in the queue (it once read "1 KB"), a small one its bytes."""
    coach, player = team
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/upload/")
    sizes = {"empty.mp4": 0, "tiny.mp4": 700, "small.mp4": 5 * 1024}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    page.set_input_files("#upload-files", [str(tmp_path / name) for name in sizes])
    shown = page.locator(".upload-queue .upload-item [data-size]")
    expect(shown).to_have_text(["0 bytes", "700 bytes", "5 KB"])


SEEK = """async ([selector, t]) => {
  const v = document.querySelector(selector);
  if (v.readyState < 1) {
    const ready = new Promise((r) => v.addEventListener("loadedmetadata", r, { once: true }));
    v.load();
    await ready;
  }
  const seeked = new Promise((r) => v.addEventListener("seeked", r, { once: true }));
  v.currentTime = t;
  await seeked;
  if (v.readyState < 2) {
    await new Promise((r) => v.addEventListener("loadeddata", r, { once: true }));
  }
  const c = document.createElement("canvas");
  c.width = v.videoWidth;
  c.height = v.videoHeight;
  const g = c.getContext("2d");
  g.drawImage(v, 0, 0);
  const px = g.getImageData(0, 0, c.width, c.height).data;
  let best = 0, bestX = -1;
  for (let x = 0; x < c.width; x++) {
    let sum = 0;
    for (let y = 0; y < c.height; y++) sum += px[(y * c.width + x) * 4];
    if (sum > best) { best = sum; bestX = x; }
  }
  return { time: v.currentTime, ready: v.readyState, duration: v.duration,
           width: v.videoWidth, brightestColumn: bestX };
}"""


def test_a_stored_video_plays_and_seeks_to_a_frame(
    page, live_url, browser_login, team, clips, login_client
):
    coach, player = team
    c = login_client(coach)
    r = c.post(
        f"/players/{player.id}/upload/",
        {"file": SimpleUploadedFile("seek.mp4", clips["seek"].read_bytes(), "video/mp4")},
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 201
    vid = r.json()["videos"][0]["id"]
    ranges = []
    page.on(
        "request",
        lambda req: "/video" in req.url and ranges.append(req.headers.get("range")),
    )
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/upload/")
    row = page.locator(f"tr[data-video-id='{vid}']")
    row.locator("summary").click()
    selector = f"tr[data-video-id='{vid}'] video"
    expect(page.locator(selector)).to_be_visible()
    for frame in (30, 12, 47):
        t = (frame + 0.5) / FPS  # the middle of the frame
        got = page.evaluate(SEEK, [selector, t])
        assert abs(got["time"] - t) <= 0.5 / FPS, got
        assert got["ready"] >= 2, got
        assert got["duration"] == pytest.approx(FRAMES / FPS, abs=1 / FPS)
        # The picture is that frame: its bar is where the generator drew it.
        assert abs(got["brightestColumn"] - ((5 * frame) % WIDTH + 1.5)) <= 3, (frame, got)
    assert any(h and h.startswith("bytes=") for h in ranges), ranges
    screenshot(page, "video-seek")
