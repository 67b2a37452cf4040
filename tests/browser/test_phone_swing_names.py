"""A swing's name in the player's swing list on a 390 px phone: "swing-8.mp4" broke after its
hyphen onto two lines (the club cell beside it took the row's width). A name stays on one line,
ellipsized with the full name in its title when it is longer than the card allows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT_DIR
from tests.dashboard.helpers import account, add_swing

from .dashboard_support import assert_no_overflow, watch_errors

pytestmark = pytest.mark.browser

LONG_TITLE = "Range session with the new grip, second bucket, slow motion"

NAMES = """() => [...document.querySelectorAll('table.data.swings .swing-cell .swing-name')].map((a) => {
    const line = parseFloat(getComputedStyle(a).lineHeight) || 20;
    const r = a.getBoundingClientRect();
    return {text: a.textContent, title: a.title, lines: a.getClientRects().length,
            height: r.height, line, right: r.right, clipped: a.scrollWidth > a.clientWidth + 1};
})"""


@pytest.fixture(scope="module")
def named(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Names Coach")
    player = account(m, "player", coach=coach, name="Nina Names")
    for i, club in enumerate(("driver", "7-iron", "3-wood hybrid")):
        add_swing(m, player, days_ago=3 - i, seed=8 + i, club=club)
    video, _, _ = add_swing(m, player, days_ago=0, seed=20)
    m.coaching.set_title(coach, player.id, video.id, LONG_TITLE)
    return coach, player


@pytest.mark.parametrize("width", [390])
def test_swing_names_stay_on_one_line(page, live_url, browser_login, named, width):
    coach, player = named
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": 844})
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/")
    expect(page.locator("table.data.swings .swing-name").first).to_be_visible()
    names = page.evaluate(NAMES)
    assert {n["text"] for n in names} >= {"swing-8.mp4", "swing-9.mp4", LONG_TITLE}, names
    for n in names:
        assert n["lines"] == 1 and n["height"] < 1.5 * n["line"], n  # no break mid-name
        assert n["right"] <= width, n
        assert n["title"] == n["text"], n  # the full name on hover / long press
    short = next(n for n in names if n["text"] == "swing-8.mp4")
    assert not short["clipped"], short  # a short name is shown whole
    assert_no_overflow(page)
    page.locator("table.data.swings").screenshot(path=str(OUTPUT_DIR / f"swing-names-{width}.png"))
    assert not errors, errors
