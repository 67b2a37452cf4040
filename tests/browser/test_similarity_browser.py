"""From the replay, "Find similar positions" lists matches and opens one at its frame."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot
from tests.similarity.conftest import sim_world  # noqa: F401 - the fixture, shared

pytestmark = pytest.mark.browser


def test_find_similar_positions_from_the_replay(page, live_url, browser_login, sim_world):  # noqa: F811
    w = sim_world
    video = w.video("right95")
    top = w.top("right95")
    browser_login(page, w.coach)

    # The replay opens at ?frame=N, and the link carries the frame on screen as it changes.
    page.goto(f"{live_url}/players/{video.user_id}/swings/{video.id}/?frame={top}")
    stage = page.locator("[data-replay][data-controls]")
    expect(stage).to_have_attribute("data-ready", "true")
    expect(stage).to_have_attribute("data-frame", str(top))
    link = page.locator("#similar-link")
    expect(link).to_have_attribute("href", re.compile(rf"/similar/\?frame={top}$"))
    page.click('[data-act="forward"]')
    expect(stage).to_have_attribute("data-frame", str(top + 1))
    expect(link).to_have_attribute("href", re.compile(rf"\?frame={top + 1}$"))
    page.click('[data-act="back"]')
    expect(link).to_have_attribute("href", re.compile(rf"\?frame={top}$"))

    link.click()
    expect(page).to_have_url(re.compile(rf"/similar/\?frame={top}$"))
    expect(page.locator("#query-frame")).to_have_text(str(top))
    matches = page.locator("#similar-results [data-match]")
    expect(matches.first).to_be_visible()
    assert matches.count() >= 5
    expect(page.locator("#similar-results canvas.thumb").first).to_have_attribute(
        "data-drawn", "true"
    )
    # Top positions only: the list is swapped in place (htmx) and the URL follows.
    page.select_option("#f-phase", "same")
    expect(page).to_have_url(re.compile(r"phase=same"))
    expect(page.locator("#similar-results .match-phase").first).to_contain_text("Top")
    phases = page.locator("#similar-results .match-phase").all_inner_texts()
    assert phases and all(p.startswith("Top") for p in phases)
    # Coach B's player never shows, even though their swing is the closest in the database.
    expect(page.locator("#similar-results")).not_to_contain_text("Otto Other")
    screenshot(page, "similarity-results")

    # The nearest match is the mirrored lefty's top; clicking it opens that swing at that frame.
    first = matches.first
    frame = first.get_attribute("data-frame")
    assert first.get_attribute("data-video") == w.video("left95").id
    assert frame == str(w.top("left95"))
    first.locator("a.match-open").click()
    expect(page).to_have_url(re.compile(rf"/swings/{w.video('left95').id}/\?frame={frame}$"))
    stage = page.locator("[data-replay][data-controls]")
    expect(stage).to_have_attribute("data-ready", "true")
    expect(stage).to_have_attribute("data-frame", frame)
    screenshot(page, "similarity-opened-match")
