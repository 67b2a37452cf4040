"""Every dashboard page at a laptop (1280x800) and a tablet (768x1024) size: nothing overflows
sideways, the replay and charts are drawn, and a screenshot of each is kept under test-output/.
Also: a swing whose video is gone replays its skeleton on a blank stage."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from swingvision.db.managers import SYSTEM
from tests.conftest import screenshot
from tests.dashboard.helpers import account, add_swing

from .dashboard_support import (
    COACH_ID,
    assert_no_overflow,
    demo_login,
    seed,
    wait_charts,
    wait_replay,
    watch_errors,
)

pytestmark = pytest.mark.browser

SIZES = [(1280, 800), (768, 1024)]
PLAYER = "demo-player-ava-lindqvist"


@pytest.fixture(scope="module")
def demo(gateway):
    return seed(gateway)


def pages(m) -> list[tuple[str, str, str]]:
    """(name, url, what to wait for) of each dashboard page, on the demo data."""
    swings = m.videos.for_player(SYSTEM, PLAYER, limit=3)
    a, b = swings[0].id, swings[1].id
    base = f"/players/{PLAYER}"
    return [
        ("roster", "/roster/", "table.roster"),
        ("player", f"{base}/", "#swing-list"),
        ("replay", f"{base}/swings/{a}/", "replay"),
        ("compare", f"{base}/swings/{a}/compare/?with={PLAYER}:{b}", "compare"),
        ("compare-ghost", f"{base}/swings/{a}/compare/?with={PLAYER}:{b}&mode=ghost", "compare"),
        ("progress", f"{base}/progress/?range=90", "charts"),
    ]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=lambda v: str(v))
def test_pages_fit_the_window_and_are_drawn(page, live_url, demo, width, height):
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    demo_login(page, live_url, demo.users.get(COACH_ID).username)
    for name, url, ready in pages(demo):
        page.goto(f"{live_url}{url}")
        if ready == "replay":
            wait_replay(page)
            page.click("[data-phase=top]")
            expect(page.locator("[data-phase=top]")).to_have_class("phase current")
        elif ready == "compare":
            expect(page.locator("[data-compare]")).to_have_attribute("data-ready", "true")
            page.click("[data-phase=top]")
            page.wait_for_timeout(300)
        elif ready == "charts":
            wait_charts(page)
        else:
            expect(page.locator(ready)).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert_no_overflow(page)
        # The stage fits the window's width with its picture unstretched.
        if ready in ("replay", "compare"):
            box = page.locator("[data-stage]").first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        screenshot(page, f"dashboard-{name}-{width}x{height}")
    assert not errors, errors


def test_a_swing_without_its_video_replays_on_a_blank_stage(page, live_url, browser_login, gateway):
    from swingvision.db.managers import managers

    errors = watch_errors(page)
    m = managers(gateway)
    coach = account(m, "coach")
    player = account(m, "player", coach=coach, name="Eve Expired")
    expired, _, swing = add_swing(m, player, days_ago=45, seed=61, status="expired")
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{expired.id}/")
    wait_replay(page)
    expect(page.locator("[data-note]")).to_contain_text("no longer stored")
    expect(page.locator("video")).to_have_count(0)
    stage = page.locator("[data-replay]")
    page.click("[data-speed='1']")
    page.click("[data-act=play]")
    expect(page.locator("[data-act=play]")).to_have_text("Pause")
    # The timer plays the poses at the swing's frame rate: about 30 frames a second.
    page.wait_for_timeout(1000)
    shown = int(stage.get_attribute("data-frame"))
    assert 10 <= shown <= 45, shown
    expect(page.locator("[data-act=play]")).to_have_text("Play", timeout=10000)  # reached the end
    expect(stage).to_have_attribute("data-frame", str(swing.n_frames - 1))
    page.click("[data-phase=top]")
    top = page.locator("[data-phase=top]").get_attribute("data-frame")
    expect(stage).to_have_attribute("data-frame", top)
    page.keyboard.press(".")
    expect(stage).to_have_attribute("data-frame", str(int(top) + 1))
    screenshot(page, "dashboard-replay-expired")
    # ?frame=N opens the replay at that frame (similarity search links there).
    page.goto(f"{live_url}/players/{player.id}/swings/{expired.id}/?frame=20")
    wait_replay(page)
    expect(stage).to_have_attribute("data-frame", "20")
    assert not errors, errors


def test_a_video_that_will_not_load_falls_back_to_the_skeleton(
    page, live_url, browser_login, gateway
):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach")
    player = account(m, "player", coach=coach)
    # A blob reference whose file is missing: the playback view answers 404.
    video, _, _ = add_swing(m, player, days_ago=1, seed=62, blob_ref="local://raw/missing/x.mp4")
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    expect(page.locator("[data-note]")).to_contain_text("could not be loaded")
    expect(page.locator("video")).to_have_count(0)
    page.click("[data-phase=impact]")
    impact = page.locator("[data-phase=impact]").get_attribute("data-frame")
    expect(page.locator("[data-replay]")).to_have_attribute("data-frame", impact)
