"""The player's pages on a phone (390x844): sign-in, home with swings and lessons, swing replay,
progress, upload, the lessons and the lesson player, settings and profile fit the screen with no
sideways scroll, the swing list is a card list, upload takes the camera roll and the camera, and
touch plays, steps and scrubs. The same pages at 1280x800 keep their desktop layout. Screenshots
go to test-output/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from swingvision.db.managers import SYSTEM
from tests.conftest import screenshot
from tests.dashboard.helpers import account, add_swing
from tests.lessons.helpers import process_all_lessons

from .dashboard_support import wait_replay, watch_errors

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def phone_world(gateway, tmp_path_factory):
    from swingvision.db.managers import managers
    from swingvision.lessons.service import lesson_key
    from swingvision.storage import get_store
    from tests.coaching.conftest import swing_with_video
    from tests.lessons.media import make_recording

    m = managers(gateway)
    coach = account(m, "coach", name="Casey Phone")
    # A long name and long failure reasons: what made the desktop page scroll sideways.
    player = account(m, "player", coach=coach, name="Maximiliana Featherstonehaugh-Worthington")
    video, _, _ = swing_with_video(m, player, seed=51)
    add_swing(m, player, seed=52, days_ago=4)
    failed = m.videos.create(SYSTEM, player.id, filename="IMG_20261201_173522_HDR_slowmo.MOV")
    m.videos.update(
        failed,
        status="failed",
        metadata={
            "error": "no person was found in enough frames of this video to analyse the swing "
            "(the golfer must be fully in the picture from address to finish)"
        },
    )
    rec = make_recording(tmp_path_factory.mktemp("phone") / "r.webm", seconds=2.0)
    ref = get_store().put(
        lesson_key(player.id, "phone-lesson", "recording.webm"),
        rec.open("rb"),
        content_type="video/webm",
    )
    lesson = m.lessons.create(
        coach,
        player.id,
        lesson_id="phone-lesson",
        video_ids=[video.id],
        title="Keep the lead arm straight at the top of the backswing",
        duration_s=2.0,
        blob_ref=ref,
        content_type="video/webm",
        size_bytes=rec.stat().st_size,
        metadata={"codec": "vp8", "audio_codec": "opus"},
    )
    process_all_lessons(m)
    return m, coach, player, video, lesson


def pages(player, video, lesson) -> list[tuple[str, str]]:
    base = f"/players/{player.id}"
    return [
        ("home", f"{base}/"),
        ("replay", f"{base}/swings/{video.id}/"),
        ("progress", f"{base}/progress/"),
        ("upload", f"{base}/upload/"),
        ("lessons", f"{base}/lessons/"),
        ("lesson", f"{base}/lessons/{lesson.id}/"),
        ("settings", "/settings/"),
        ("player-settings", f"{base}/settings/"),
        ("profile", "/profile/"),
    ]


def overflow(page, viewport: int) -> dict:
    """The document's width against the screen's, and the elements sticking out. (A phone
    browser widens its window to a page wider than the screen, and zooms out: window.innerWidth
    follows the page, so the screen's width is the measure.)"""
    return page.evaluate(
        """(inner) => {
            const wide = [];
            for (const el of document.querySelectorAll("body *")) {
                const r = el.getBoundingClientRect();
                if (r.right > inner + 0.5 && r.width > 0) {
                    wide.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`);
                }
            }
            return {width: document.scrollingElement.scrollWidth, inner, wide: wide.slice(0, 8)};
        }""",
        viewport,
    )


def settle(page, name: str) -> None:
    if name == "replay":
        wait_replay(page)
    elif name == "progress":
        drawn = re.compile(r".+")
        expect(page.locator("#progress-body")).to_have_attribute("data-drawn", drawn, timeout=15000)
    page.wait_for_load_state("networkidle")


def check_page(page, live_url, name, url, size) -> None:
    page.goto(f"{live_url}{url}")
    settle(page, name)
    got = overflow(page, size["width"])
    assert got["width"] <= got["inner"], f"{name} at {size}: {got}"
    screenshot(page, f"phone-{name}-{size['width']}x{size['height']}")


def test_every_player_page_fits_a_phone(browser, live_url, phone_world):
    m, coach, player, video, lesson = phone_world
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{live_url}/login/")
    got = overflow(page, PHONE["width"])
    assert got["width"] <= got["inner"], f"login: {got}"
    screenshot(page, "phone-login-390x844")
    page.fill("#id_username", player.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    for name, url in pages(player, video, lesson):
        check_page(page, live_url, name, url, PHONE)
    # Home: the swings are cards (no table header), the lessons count shows.
    page.goto(f"{live_url}/players/{player.id}/")
    expect(page.locator("table.swings thead")).to_be_hidden()
    expect(page.locator("table.swings tbody tr").first).to_be_visible()
    expect(page.locator("[data-new-lessons]").first).to_have_text("1 new lesson")
    # Upload offers the camera roll and the camera.
    page.goto(f"{live_url}/players/{player.id}/upload/")
    assert page.locator("input[type=file][name=file]").get_attribute("accept") == "video/*"
    assert not errors, errors
    context.close()


def test_touch_plays_steps_and_scrubs_the_replay(browser, live_url, phone_world, browser_login):
    m, coach, player, video, lesson = phone_world
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    browser_login(page, player)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    root = page.locator("[data-replay][data-role=a]")
    page.tap("[data-act=forward]")
    expect(root).to_have_attribute("data-frame", "1")
    page.tap("[data-act=forward]")
    expect(root).to_have_attribute("data-frame", "2")
    page.tap("[data-act=back]")
    expect(root).to_have_attribute("data-frame", "1")
    # The timeline: a tap three quarters along jumps there.
    box = page.locator("[data-scrub]").bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    frames = int(root.get_attribute("data-frames"))
    page.wait_for_function(
        "([sel, n]) => Number(document.querySelector(sel).dataset.frame) > n * 0.6",
        arg=["[data-replay][data-role=a]", frames],
    )
    page.tap("[data-act=play]")
    expect(page.locator("[data-act=play]")).to_have_attribute("aria-pressed", "true")
    page.tap("[data-act=play]")
    expect(page.locator("[data-act=play]")).to_have_attribute("aria-pressed", "false")
    context.close()


def test_the_desktop_layout_is_kept(browser, live_url, phone_world, browser_login):
    m, coach, player, video, lesson = phone_world
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    browser_login(page, player)
    for name, url in pages(player, video, lesson):
        check_page(page, live_url, name, url, DESKTOP)
    page.goto(f"{live_url}/players/{player.id}/")
    expect(page.locator("table.swings thead")).to_be_visible()  # a table, not cards
    row = page.locator("table.swings tbody tr").first.bounding_box()
    assert row["height"] < 120, row
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    main = page.locator(".replay-main").bounding_box()
    side = page.locator(".replay-side").bounding_box()
    assert side["x"] >= main["x"] + main["width"] - 1  # the panels beside the replay
    context.close()
