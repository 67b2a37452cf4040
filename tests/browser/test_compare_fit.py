"""The compare page at 1280x800: the picker's swing cards hold their score badge (it neither sticks
out past the card nor sits over the next card's date) and the page does not scroll sideways, in the
picker alone and under two swings side by side."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot
from tests.dashboard.helpers import account, add_swing

from .dashboard_support import assert_no_overflow, watch_errors

pytestmark = pytest.mark.browser

CLUBS = ("Driver 7°", "9-iron", "7-iron", "5-iron", "driver", "3-wood hybrid", "driver")


@pytest.fixture(scope="module")
def picked(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Fitting Coach")
    player = account(m, "player", coach=coach, name="Ava Lindqvist-Ström ✓")
    videos = [
        add_swing(m, player, days_ago=3 * i + 0.3, seed=60 + i, club=club)[0]
        for i, club in enumerate(CLUBS)
    ]
    m.coaching.set_title(coach, player.id, videos[2].id, "T" * 120)
    return coach, player, videos


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def _apart(a: dict, b: dict) -> bool:
    return (
        a["x"] + a["width"] <= b["x"] + 0.5
        or b["x"] + b["width"] <= a["x"] + 0.5
        or a["y"] + a["height"] <= b["y"] + 0.5
        or b["y"] + b["height"] <= a["y"] + 0.5
    )


@pytest.mark.parametrize("side", [False, True], ids=["picker", "side"])
def test_the_compare_picker_fits_1280(page, live_url, browser_login, picked, side):
    coach, player, videos = picked
    errors = watch_errors(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, coach)
    url = f"{live_url}/players/{player.id}/swings/{videos[0].id}/compare/"
    if side:
        url += f"?with={player.id}:{videos[1].id}&mode=side"
    page.goto(url)
    if side:
        expect(page.locator("[data-compare]")).to_have_attribute("data-ready", "true")
    cards = page.locator(".swing-picks a")
    expect(cards).to_have_count(len(videos) - 1)
    page.wait_for_load_state("networkidle")
    assert_no_overflow(page)
    boxes = []
    for i in range(cards.count()):
        card = cards.nth(i)
        box, badge = card.bounding_box(), card.locator(".score-badge").bounding_box()
        label = card.locator(".swing-label").bounding_box()
        assert _inside(badge, box), f"card {i}: the badge {badge} sticks out of {box}"
        assert _inside(label, box), f"card {i}: the label {label} sticks out of {box}"
        assert _apart(badge, label), f"card {i}: the badge {badge} covers the label {label}"
        boxes.append((box, badge))
    for i, (_, badge) in enumerate(boxes):
        for j, (box, _) in enumerate(boxes):
            assert i == j or _apart(badge, box), f"badge {i} overlaps card {j}"
    screenshot(page, f"compare-picker-1280-{'side' if side else 'pick'}")
    assert not errors, errors
