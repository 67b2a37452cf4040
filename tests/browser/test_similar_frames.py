"""A similar-position result shows the frame that matched, not the swing's poster (issue #21):
the swings here carry their frame number burned into every frame, so the picture's own pixels
say which frame it is."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot, unique
from tests.dashboard.helpers import account

from .coded_swing import CODE_BITS, CODE_STRIP, make_coded_swing
from .dashboard_support import watch_errors

pytestmark = pytest.mark.browser

# The number burned into an <img>'s top strip (coded_swing.read_code, in the page).
READ_CODES = """([bits, strip]) => Promise.all([...document.querySelectorAll('[data-match]')].map(async (li) => {
    const img = li.querySelector('img[data-match-frame]');
    if (!img) return {frame: li.dataset.frame, code: null};
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const y = Math.floor(Math.max(2, Math.round(c.height * strip)) / 2);
    const row = ctx.getImageData(0, y, c.width, 1).data;
    let code = 0;
    for (let i = 0; i < bits; i++) {
        const o = Math.floor(((i + 0.5) * c.width) / bits) * 4;
        code = code * 2 + (0.299 * row[o] + 0.587 * row[o + 1] + 0.114 * row[o + 2] > 127 ? 1 : 0);
    }
    return {frame: li.dataset.frame, video: li.dataset.video, code,
            closeness: li.querySelector('[data-closeness]')?.textContent.trim()};
}))"""


def test_a_similar_position_shows_the_matched_frame(page, live_url, browser_login, gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Frame Coach")
    player = account(m, "player", coach=coach, name="Frame Player")
    a, _ = make_coded_swing(m, player, video_id=unique("sim-a-"), seed=31, filename="first.mp4")
    b, _ = make_coded_swing(m, player, video_id=unique("sim-b-"), seed=32, filename="second.mp4")
    errors = watch_errors(page)
    browser_login(page, coach)
    analysis = m.analyses.latest_for_video(coach, player.id, a.id)
    top = analysis.events["top"]
    page.goto(f"{live_url}/players/{player.id}/swings/{a.id}/similar/?frame={top}")
    matches = page.locator("#similar-results [data-match]")
    expect(matches.first).to_be_visible()
    found = page.evaluate(READ_CODES, [CODE_BITS, CODE_STRIP])
    pictured = [r for r in found if r["code"] is not None]
    assert pictured, found
    for r in pictured:
        assert r["code"] == int(r["frame"]), r  # the picture is the matched frame
        assert r["closeness"] in ("very close", "close", "loosely similar"), r
    # Not the poster: the poster is the address frame, and a top position matches other frames.
    poster = m.analyses.latest_for_video(coach, player.id, b.id).events["address"]
    assert any(r["code"] != poster for r in pictured), (poster, pictured)
    expect(page.locator("#similar-results")).to_contain_text("second.mp4")
    screenshot(page, "similar-matched-frames")
    assert not errors, errors
