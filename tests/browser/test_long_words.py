"""User-written text wraps: a 2000-character note or drill description without a space (a pasted
link, a key held down) no longer makes the report or the drill library thousands of pixels wide."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.coaching.conftest import swing_with_video
from tests.dashboard.helpers import account

from .dashboard_support import assert_no_overflow, watch_errors

pytestmark = pytest.mark.browser

LONG_WORD = "W" * 1990 + "-end"


@pytest.fixture(scope="module")
def wordy(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Wordy Coach")
    player = account(m, "player", coach=coach, name="Wordy Player")
    video, _, _ = swing_with_video(m, player, seed=43)
    m.notes.create(coach, player.id, video.id, text=LONG_WORD)
    m.drills.create(coach, name="N" * 120, aspect="head_sway", description=LONG_WORD)
    return m, coach, player, video


@pytest.mark.parametrize("width", [1280, 390])
def test_long_words_wrap_on_the_report_and_the_drills(page, live_url, browser_login, wordy, width):
    m, coach, player, video = wordy
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": 800})
    browser_login(page, coach)
    for path in (f"/players/{player.id}/swings/{video.id}/report/", "/drills/"):
        page.goto(live_url + path)
        expect(page.locator("main")).to_contain_text("W" * 50)
        assert_no_overflow(page)
    page.emulate_media(media="print")
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/report/")
    assert_no_overflow(page)
    assert not errors, errors
