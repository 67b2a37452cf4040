"""Posters and event strips render in the browser: on the roster (the player's newest swing), on
the player page (every swing) and in similar-swing results, as decoded images of the right shape."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.dashboard_support import assert_no_overflow, watch_errors
from tests.conftest import screenshot
from tests.phone.flow import all_clips_team

pytestmark = pytest.mark.browser

team = pytest.fixture(scope="module")(all_clips_team)

# Each <img> of a selector, once loaded: its URL, decoded size and shown size.
IMAGES = """async (selector) => {
  const imgs = [...document.querySelectorAll(selector)];
  await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
  return imgs.map((img) => ({ src: img.currentSrc, complete: img.complete,
    natural: [img.naturalWidth, img.naturalHeight], shown: [img.width, img.height] }));
}"""


def loaded(page, selector: str) -> list[dict]:
    images = page.evaluate(IMAGES, selector)
    for img in images:
        assert img["complete"] and img["natural"][0] > 0, img
    return images


def test_roster_and_player_page_show_posters_and_strips(team, page, live_url, browser_login):
    errors = watch_errors(page)
    browser_login(page, team.coach)
    page.goto(f"{live_url}/roster/")
    row = page.locator("table.roster tr", has_text="Alex Portrait")
    expect(row.locator("img.swing-poster")).to_have_count(1)
    [poster] = loaded(page, "table.roster img.swing-poster")
    newest = team.swings["baked-8x"]  # the last one uploaded
    assert f"/swings/{newest.id}/thumbs/poster.webp?v=" in poster["src"]
    assert poster["natural"] == newest.metadata["thumbs"]["poster_size"]
    assert poster["shown"][1] == 40  # a small picture in the name cell
    screenshot(page, "phone-roster-posters")

    page.goto(f"{live_url}/players/{team.player.id}/")
    rows = page.locator("#swing-list tbody tr")
    expect(rows.locator("img.swing-poster")).to_have_count(len(team.swings))
    posters = loaded(page, "#swing-list img.swing-poster")
    strips = loaded(page, "#swing-list img.swing-strip")
    assert len(strips) == len(team.swings)
    hevc = team.swings["iphone-hevc"]
    [portrait] = [p for p in posters if f"/swings/{hevc.id}/" in p["src"]]
    assert portrait["natural"] == [180, 320]  # upright, as the coach films it
    for strip in strips:
        w, h = strip["natural"]
        assert w > 7 * h / 2  # eight tiles side by side
    assert_no_overflow(page)
    screenshot(page, "phone-player-thumbs")
    assert not errors, errors


def test_similar_swings_show_their_strips(team, page, live_url, browser_login):
    browser_login(page, team.coach)
    query = team.swings["vp9-webm"]
    page.goto(
        f"{live_url}/players/{team.player.id}/swings/{query.id}/similar/?kind=swings&view=any"
    )
    matches = page.locator("#similar-results .match")
    expect(matches.first).to_be_visible()
    strips = loaded(page, "#similar-results img.swing-strip")
    assert len(strips) == matches.count() >= 3
    screenshot(page, "phone-similar-strips")
