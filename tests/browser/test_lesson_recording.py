"""A video lesson end to end in headless Chromium with a fake camera and microphone: the coach
records the swing page while stepping frames and drawing a line, saves it; the file has a picture
and a sound track and the length recorded (PyAV); the player sees "1 new lesson", plays it to the
end, and the coach's page then shows it watched. Also: a refused microphone records without sound
and says so; discard stores nothing; the compare page records both swings."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot
from tests.dashboard.helpers import account
from tests.lessons.helpers import process_all_lessons
from tests.lessons.media import tracks

from .dashboard_support import wait_replay, watch_errors

pytestmark = pytest.mark.browser

# Only this module's browser gets a fake camera and microphone, and grants them without asking.
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
YELLOW = (255, 212, 0)  # the drawing tool's default colour


@pytest.fixture(scope="module")
def media_browser(browser_type):
    browser = browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_MEDIA)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def lesson_world(gateway):
    from swingvision.db.managers import managers
    from tests.coaching.conftest import swing_with_video
    from tests.dashboard.helpers import add_swing

    m = managers(gateway)
    coach = account(m, "coach", name="Rec Coach")
    player = account(m, "player", coach=coach, name="Rec Player")
    video, _, _ = swing_with_video(m, player, seed=61)
    second = add_swing(m, player, seed=62, days_ago=3)[0]
    return m, coach, player, video, second


def login(context, live_url, user):
    from swingvision.accounts.throttle import login_throttle

    login_throttle.reset()
    page = context.new_page()
    page.goto(f"{live_url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def spot(page, fx: float, fy: float) -> tuple[float, float]:
    box = page.locator("[data-stage]").first.bounding_box()
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def other_origin(data: bytes):
    """A file server for one video on 127.0.0.1 at another port (no CORS headers), in a thread."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def has_colour(path, colour, *, tolerance: int = 45, min_pixels: int = 30) -> bool:
    """Whether some decoded frame of the file shows `colour` in at least `min_pixels` pixels."""
    import av

    want = np.array(colour, dtype=np.int16)
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24").astype(np.int16)
            close = np.all(np.abs(rgb - want) <= tolerance, axis=-1)
            if int(close.sum()) >= min_pixels:
                return True
    return False


def stop(page, rec) -> None:
    """Stop the recording: the recorder shows its preview."""
    page.click("[data-rec-stop]")
    expect(rec).to_have_attribute("data-state", "preview")


def save(page, rec, m, player):
    """Save the previewed recording; the stored lesson."""
    page.click("[data-rec-save]")
    expect(page.locator("[data-rec-saved-link]")).to_be_visible(timeout=20000)
    return m.lessons.get(SYSTEM, player.id, rec.get_attribute("data-saved"))


def test_a_coach_records_a_lesson_and_the_player_watches_it(media_browser, live_url, lesson_world):
    m, coach, player, video, _ = lesson_world
    ctx = media_browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.grant_permissions(["microphone", "camera"], origin=live_url)
    page = login(ctx, live_url, coach)
    errors = watch_errors(page)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    expect(page.locator("[data-replay]")).to_have_attribute("data-coach-tools", "ready")
    rec = page.locator("[data-lesson-recorder]")
    stage = page.locator("[data-replay][data-role=a]")

    page.click("[data-rec-start]")
    expect(rec).to_have_attribute("data-state", "recording")
    expect(rec).to_have_attribute("data-audio", "true")
    expect(page.locator("[data-rec-limit]")).to_have_text(
        "10:00"
    )  # the limit, shown from the start
    started = page.evaluate("() => performance.now()")
    # Step frames while talking.
    for n in range(1, 6):
        page.click("[data-act=forward]")
        expect(stage).to_have_attribute("data-frame", str(n))
        page.wait_for_timeout(250)
    # Draw a line, free (no snap), for the whole swing.
    page.uncheck("[data-snap]")
    page.click("[data-tool=line]")
    page.locator("[data-stage]").first.scroll_into_view_if_needed()
    page.mouse.click(*spot(page, 0.2, 0.25))
    page.mouse.click(*spot(page, 0.8, 0.75))
    expect(page.locator("[data-drawings] li")).to_have_count(1)
    page.click("[data-tool=line]")  # put the tool down
    page.click("[data-phase=top]")
    # Pause and resume (the paused time is not recorded), then on to about 5 s in all.
    page.click("[data-rec-pause]")
    expect(rec).to_have_attribute("data-state", "paused")
    page.wait_for_timeout(700)
    page.click("[data-rec-pause]")
    expect(rec).to_have_attribute("data-state", "recording")
    page.wait_for_function("(t0) => performance.now() - t0 > 5700", arg=started, timeout=15000)
    stop(page, rec)
    recorded_s = int(rec.get_attribute("data-recorded-ms")) / 1000
    assert 4.3 < recorded_s < 6.5, recorded_s
    expect(page.locator("[data-rec-video]")).to_be_visible()
    screenshot(page, "lesson-recorder-preview")
    page.fill("[data-rec-title]", "Lead arm at the top")
    page.click("[data-rec-save]")
    expect(rec).to_have_attribute("data-saved", re.compile(r".+"), timeout=20000)
    expect(page.locator("[data-rec-saved-link]")).to_be_visible()
    lesson_id = rec.get_attribute("data-saved")
    # The swing page's list shows it at once, not yet watched.
    expect(page.locator(f"[data-lesson='{lesson_id}'] [data-watch-state]")).to_have_text(
        "not watched yet"
    )

    lesson = m.lessons.get(SYSTEM, player.id, lesson_id)
    assert lesson.coach_id == coach.id and lesson.video_ids == [video.id]
    assert lesson.title == "Lead arm at the top"
    with get_store().local_copy(lesson.blob_ref) as path:
        got = tracks(path)
    assert got["video"] and got["audio"], got
    assert abs(got["duration"] - recorded_s) <= 0.5, (got, recorded_s)
    print(f"\nrecorded {recorded_s:.3f} s, WebM {got['duration']:.3f} s, row {lesson.duration_s} s")
    assert abs(lesson.duration_s - recorded_s) <= 0.5
    # The worker's MP4: H.264 and AAC, the same length, the drawing in the picture.
    process_all_lessons(m)
    lesson = m.lessons.get(SYSTEM, player.id, lesson_id)
    assert lesson.status == "ready", lesson.metadata
    with get_store().local_copy(lesson.metadata["rendition_ref"]) as path:
        mp4 = tracks(path)
        assert mp4["video"] == ["h264"] and mp4["audio"] == ["aac"], mp4
        assert abs(mp4["duration"] - recorded_s) <= 0.5, (mp4, recorded_s)
        print(f"MP4 {mp4['duration']:.3f} s")
        assert has_colour(path, YELLOW), "the line drawn during the recording is not in it"
    assert not errors, errors

    # The player signs in on a phone: "1 new lesson", plays it to the end.
    phone = media_browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    ppage = login(phone, live_url, player)
    perrors = watch_errors(ppage)
    ppage.goto(f"{live_url}/players/{player.id}/")
    expect(ppage.locator("[data-new-lessons]")).to_have_text("1 new lesson")
    ppage.click(f"[data-lesson='{lesson_id}'] a.lesson-title")
    ppage.wait_for_load_state("networkidle")
    result = ppage.evaluate(
        """() => new Promise((resolve, reject) => {
            const v = document.querySelector("[data-lesson-video]");
            const states = [];
            setTimeout(() => reject(new Error("not ended: " + JSON.stringify(states))), 20000);
            const note = () => states.push(v.readyState);
            v.addEventListener("canplaythrough", note);
            v.addEventListener("ended", () => resolve({
                ended: v.ended, readyState: v.readyState, max: Math.max(...states, v.readyState),
                duration: v.duration, type: v.currentSrc,
            }));
            v.play().catch(reject);
        })"""
    )
    assert result["ended"] and result["max"] == 4, result
    assert abs(result["duration"] - recorded_s) <= 0.5, result
    # Seeking back (HTTP Range) works on the MP4.
    seeked = ppage.evaluate(
        """() => new Promise((resolve) => {
            const v = document.querySelector("[data-lesson-video]");
            v.addEventListener("seeked", () => resolve(v.currentTime), { once: true });
            v.currentTime = v.duration / 2;
        })"""
    )
    assert abs(seeked - result["duration"] / 2) < 0.5
    expect(ppage.locator("[data-lesson-player]")).to_have_attribute("data-watched", "true")
    screenshot(ppage, "lesson-player-phone")
    assert not perrors, perrors
    assert m.lessons.get(SYSTEM, player.id, lesson_id).watched_at is not None

    # The coach's swing page now shows it watched.
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    state = page.locator(f"[data-lesson='{lesson_id}'] [data-watch-state]")
    expect(state).to_contain_text("watched")
    expect(state).not_to_contain_text("not watched")
    ctx.close()
    phone.close()


def test_a_refused_microphone_records_without_sound_and_says_so(
    media_browser, live_url, lesson_world
):
    m, coach, player, video, _ = lesson_world
    ctx = media_browser.new_context(viewport={"width": 1280, "height": 800})
    # The coach says no when the browser asks.
    ctx.add_init_script(
        """navigator.mediaDevices.getUserMedia = () =>
            Promise.reject(new DOMException("Permission denied", "NotAllowedError"));"""
    )
    page = login(ctx, live_url, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    rec = page.locator("[data-lesson-recorder]")
    before = m.lessons.count_for_player(SYSTEM, player.id)
    page.click("[data-rec-start]")
    expect(rec).to_have_attribute("data-state", "recording")
    expect(rec).to_have_attribute("data-audio", "false")
    expect(page.locator("[data-rec-status]")).to_contain_text("without sound")
    expect(page.locator("[data-rec-status]")).to_contain_text("refused")
    page.click("[data-act=forward]")
    page.wait_for_timeout(1500)
    stop(page, rec)
    expect(page.locator("[data-rec-status]")).to_contain_text("no sound")
    # Discard: nothing is stored.
    page.click("[data-rec-discard]")
    expect(rec).to_have_attribute("data-state", "idle")
    assert m.lessons.count_for_player(SYSTEM, player.id) == before
    # Record again and save: a lesson with a picture and no sound.
    page.click("[data-rec-start]")
    expect(rec).to_have_attribute("data-state", "recording")
    page.wait_for_timeout(1500)
    stop(page, rec)
    lesson = save(page, rec, m, player)
    with get_store().local_copy(lesson.blob_ref) as path:
        got = tracks(path)
    assert got["video"] and not got["audio"], got
    ctx.close()


def test_the_compare_page_records_both_swings(media_browser, live_url, lesson_world):
    m, coach, player, video, second = lesson_world
    ctx = media_browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.grant_permissions(["microphone"], origin=live_url)
    page = login(ctx, live_url, coach)
    page.goto(
        f"{live_url}/players/{player.id}/swings/{video.id}/compare/?with={player.id}:{second.id}"
    )
    expect(page.locator("[data-compare]")).to_have_attribute("data-ready", "true")
    rec = page.locator("[data-lesson-recorder]")
    page.click("[data-rec-start]")
    expect(rec).to_have_attribute("data-state", "recording")
    # Both stages side by side: the recording is about twice as wide as it is high.
    size = page.evaluate(
        "() => { const c = document.querySelector('[data-lesson-recorder]').svRecorder.stage.canvas; return [c.width, c.height]; }"
    )
    assert size[0] > 1.5 * size[1], size
    page.click("[data-phase=top]")
    page.wait_for_timeout(1500)
    stop(page, rec)
    lesson = save(page, rec, m, player)
    assert lesson.video_ids == [video.id, second.id]
    assert lesson.metadata["width"] > 1.5 * lesson.metadata["height"]
    ctx.close()


def test_the_length_limit_is_shown_before_and_stops_the_recording(
    media_browser, live_url, lesson_world, settings
):
    m, coach, player, video, _ = lesson_world
    settings.SWINGVISION_MAX_LESSON_SECONDS = 4  # the warning comes a minute before: at once
    ctx = media_browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.grant_permissions(["microphone"], origin=live_url)
    page = login(ctx, live_url, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    rec = page.locator("[data-lesson-recorder]")
    page.click("[data-rec-start]")
    expect(rec).to_have_attribute("data-state", "recording")
    expect(page.locator("[data-rec-limit]")).to_have_text("0:04")
    expect(page.locator("[data-rec-status]")).to_contain_text("stops by itself at 0:04")
    expect(page.locator("[data-rec-clock]")).to_have_class(re.compile(r"near-limit"))
    # Nobody presses stop: the recorder stops at the limit and says why.
    expect(rec).to_have_attribute("data-state", "preview", timeout=10000)
    expect(page.locator("[data-rec-status]")).to_contain_text("reached the 0:04 limit")
    recorded = int(rec.get_attribute("data-recorded-ms")) / 1000
    assert 3.9 <= recorded <= 4.6, recorded
    lesson = save(page, rec, m, player)
    assert abs(lesson.duration_s - recorded) <= 0.5
    ctx.close()


def test_a_video_from_another_origin_records_the_skeleton_and_says_so(
    browser_type, live_url, lesson_world
):
    """A presigned S3 URL without CORS would taint the canvas (and a tainted canvas cannot be
    recorded): the recorder leaves that picture out, keeps the skeleton and drawings, and says so.
    The other origin is a server on another loopback port; Chromium's local network checks (which
    a real S3 endpoint on the internet does not meet) are off for this browser only."""
    m, coach, player, video, _ = lesson_world
    media_browser = browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, *FAKE_MEDIA, "--disable-features=LocalNetworkAccessChecks"],
    )
    server = other_origin(get_store().open(video.blob_ref).read())
    elsewhere = f"http://127.0.0.1:{server.server_port}/swing.mp4"  # another port: another origin
    ctx = media_browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.grant_permissions(["microphone"], origin=live_url)
    page = login(ctx, live_url, coach)
    page.route(
        f"{live_url}/players/{player.id}/swings/{video.id}/video",
        lambda route: route.fulfill(status=302, headers={"Location": elsewhere}),
    )
    swing_url = f"{live_url}/players/{player.id}/swings/{video.id}/"

    def without_csp(route):
        # The CSP lets media come from the configured S3 endpoint only; this stand-in for it
        # is another origin, so the test page goes without the header.
        response = route.fetch()
        headers = {
            k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"
        }
        route.fulfill(response=response, headers=headers)

    page.route(swing_url, without_csp)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    page.wait_for_function("() => document.querySelector('[data-video]').readyState >= 2")
    rec = page.locator("[data-lesson-recorder]")
    page.click("[data-rec-start]")
    expect(rec).to_have_attribute("data-state", "recording")
    expect(page.locator("[data-rec-status]")).to_contain_text("does not allow recording")
    page.click("[data-act=forward]")
    page.wait_for_timeout(1200)
    stop(page, rec)
    lesson = save(page, rec, m, player)
    with get_store().local_copy(lesson.blob_ref) as path:
        assert tracks(path)["video"]
    # The saved lesson's list refresh may still be passing through the route: let it go.
    page.unroute_all(behavior="ignoreErrors")
    ctx.close()
    media_browser.close()
    server.shutdown()
