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


def _open_at(page, live_url, browser_login, coach, player, video, size) -> list[str]:
    """The swing's replay page at a window `size`, ready; the errors seen from then on."""
    errors = watch_errors(page)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    return errors


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_stage_controls_and_tools_fit_the_window(
    page, live_url, browser_login, world, size, orientation
):
    m, coach, player, videos = world
    width, height = size
    errors = _open_at(page, live_url, browser_login, coach, player, videos[orientation], size)
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


# A tablet and a phone, upright: the portrait clip is the tester's real one's shape (354x492,
# /work/shared/data/golfdb/test_video.mp4), whose stage column at 768 px was 627 px wide beside
# the controls' 14rem: the page was 886 px wide, the play and speed buttons cut off.
NARROW = [(768, 1024), (390, 844)]


@pytest.fixture(scope="module")
def checked(gateway, world):
    """A portrait and a landscape swing with impact set one frame after the top: the tempo is
    implausible, so address, top and impact (two of them a frame apart) say "check this"."""
    from analysis.corrections import correct_event
    from swingvision.db.managers import SYSTEM

    m, coach, player, _ = world
    out = {}
    for orientation, size, seed in (("portrait", (354, 492), 5), ("landscape", (480, 360), 6)):
        video, _ = make_coded_swing(
            m, player, video_id=unique(f"{orientation}-check-"), seed=seed, size=size,
            filename="swing-with-a-rather-long-name.mp4",
        )  # fmt: skip
        top = m.analyses.latest_for_video(SYSTEM, player.id, video.id).events["top"]
        analysis = correct_event(m, coach, player.id, video.id, "impact", top + 1)
        assert analysis.details["metrics"]["tempo_ratio"]["status"] == "check"
        out[orientation] = video
    return out


LABELS = """() => [...document.querySelectorAll('.ticks .check-label')]
    .filter((el) => !el.hidden)
    .map((el) => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, text: el.textContent}; })"""


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("size", NARROW, ids=lambda s: f"{s[0]}x{s[1]}")
def test_tablet_and_phone_fit_the_controls_and_keep_check_labels_apart(
    page, live_url, browser_login, world, checked, size, orientation
):
    m, coach, player, _ = world
    width, height = size
    errors = _open_at(page, live_url, browser_login, coach, player, checked[orientation], size)
    replay = page.locator("[data-replay]")
    expect(replay).to_have_attribute("data-coach-tools", "ready")
    expect(replay).to_have_attribute("data-orientation", orientation)
    assert page.locator(".ticks .tick.check").count() >= 3
    assert_no_overflow(page)
    boxes = page.evaluate(BOXES, [*MUST_SEE, "[data-frame-label]", ".speeds", ".phases"])
    for selector, box in boxes.items():
        assert box is not None and box["width"] > 0, selector
        assert box["left"] >= 0 and box["right"] <= width, (selector, box, size)
    if orientation == "portrait" and width >= 700:  # the controls beside the picture
        assert boxes["[data-act=play]"]["left"] >= boxes["[data-stage]"]["right"], boxes
    labels = sorted(page.evaluate(LABELS), key=lambda r: r["left"])
    assert labels and all(r["text"] == "check this" for r in labels)
    for before, after in zip(labels, labels[1:], strict=False):
        assert before["right"] <= after["left"], labels  # no two labels overlap
    for r in labels:
        assert r["left"] >= 0 and r["right"] <= width, r
    page.screenshot(path=str(OUTPUT_DIR / f"replay-narrow-{orientation}-{width}x{height}.png"))
    assert not errors, errors
