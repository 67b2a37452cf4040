"""The replay uses the screen (issue #21): at 1440x900 and 1280x800, with the page scrolled to the
top, the stage, the play controls and the drawing tools are all inside the window; a portrait
phone clip is as tall as the window allows, its controls beside it. Screenshots in test-output/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT_DIR, unique
from tests.dashboard.helpers import account

from .coded_swing import make_coded_swing
from .dashboard_support import assert_no_overflow, wait_replay, watch_errors

pytestmark = pytest.mark.browser

SIZES = [(1440, 900), (1280, 800)]


@pytest.fixture(scope="module")
def world(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Layout Coach")
    player = account(m, "player", coach=coach, name="Layout Player")
    landscape, _ = make_coded_swing(m, player, video_id=unique("wide-"), seed=3)
    portrait, _ = make_coded_swing(
        m, player, video_id=unique("tall-"), seed=4, size=(360, 640), filename="phone.mp4"
    )
    return m, coach, player, {"landscape": landscape, "portrait": portrait}


BOXES = """(selectors) => Object.fromEntries(selectors.map((s) => {
    const el = document.querySelector(s);
    if (!el) return [s, null];
    const r = el.getBoundingClientRect();
    return [s, {top: r.top, left: r.left, bottom: r.bottom, right: r.right, width: r.width, height: r.height}];
}))"""
MUST_SEE = [
    "[data-stage]",
    ".transport",
    "[data-act=play]",
    "[data-scrub]",
    ".phases",
    "[data-draw-toolbar]",
]


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_stage_controls_and_tools_fit_the_window(
    page, live_url, browser_login, world, size, orientation
):
    m, coach, player, videos = world
    video = videos[orientation]
    width, height = size
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    expect(page.locator("[data-replay]")).to_have_attribute("data-coach-tools", "ready")
    expect(page.locator("[data-replay]")).to_have_attribute("data-orientation", orientation)
    assert page.evaluate("() => window.scrollY") == 0
    boxes = page.evaluate(BOXES, MUST_SEE)
    for selector, box in boxes.items():
        assert box is not None, selector
        assert box["width"] > 0 and box["height"] > 0, (selector, box)
        assert box["top"] >= 0 and box["left"] >= 0, (selector, box)
        assert box["bottom"] <= height and box["right"] <= width, (selector, box, size)
    stage = boxes["[data-stage]"]
    if orientation == "portrait":
        # As tall as the window allows: most of it (the bar, the title and margins above).
        assert stage["height"] >= 0.72 * height, stage
    else:
        assert stage["height"] >= 0.5 * height, stage
    assert_no_overflow(page)
    page.screenshot(path=str(OUTPUT_DIR / f"replay-layout-{orientation}-{width}x{height}.png"))
    assert not errors, errors
