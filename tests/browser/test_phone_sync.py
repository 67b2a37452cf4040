"""The overlay stays in sync on a rotated iPhone HEVC upload: its frames carry their own number
(tests/browser/coded_swing.py), the replay (?debug=sync) reads it from each frame the browser
presents and logs it beside the pose frame it drew (static/js/replay.js). Played through and
stepped, every presented frame must be drawn with its own pose, in display orientation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.dashboard_support import watch_errors
from tests.conftest import screenshot
from tests.phone.flow import phone_team

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def team(gateway):
    return phone_team()


def sync_log(page) -> list[dict]:
    return page.evaluate("() => window.__svSync || []")


def test_overlay_sync_on_the_rotated_hevc_upload(team, page, live_url, browser_login):
    video = team.swings["iphone-hevc"]
    n = video.metadata["frame_count"]
    errors = watch_errors(page)
    browser_login(page, team.coach)
    page.goto(f"{live_url}/players/{team.player.id}/swings/{video.id}/?debug=sync")
    replay = page.locator("[data-replay][data-role=a]")
    expect(replay).to_have_attribute("data-ready", "true", timeout=20_000)
    # Played through at 1x, then at a quarter speed from the top.
    page.locator('[data-act="play"]').click()
    expect(replay).to_have_attribute("data-frame", str(n - 1), timeout=20_000)
    page.locator('[data-speed="0.25"]').click()
    page.locator(".phase[data-phase=top]").click()
    page.locator('[data-act="play"]').click()
    page.wait_for_timeout(1500)
    page.locator('[data-act="play"]').click()  # pause
    playing = [e for e in sync_log(page) if e["playing"]]
    assert len({e["code"] for e in playing}) >= 20, playing[:5]
    # Stepped one frame at a time, both ways.
    page.locator(".phase[data-phase=impact]").click()
    impact = int(page.locator(".phase[data-phase=impact]").get_attribute("data-frame"))
    expect(replay).to_have_attribute("data-frame", str(impact))
    for key, delta in ((".", 1), (".", 1), (",", -1), (",", -1), (",", -1)):
        before = int(replay.get_attribute("data-frame"))
        page.keyboard.press(key)
        expect(replay).to_have_attribute("data-frame", str(before + delta))
    page.wait_for_timeout(300)
    log = sync_log(page)
    wrong = [e for e in log if e["code"] != e["drawnPoseFrame"]]
    assert log and not wrong, wrong[:10]
    stepped = [e["code"] for e in log if not e["playing"]]
    assert {impact - 1, impact, impact + 1, impact + 2} <= set(stepped), stepped
    # The picture the code was read from is upright: a portrait frame, code strip at the top.
    size = page.evaluate(
        "() => { const v = document.querySelector('[data-video]');"
        " return [v.videoWidth, v.videoHeight]; }"
    )
    assert size == [1080, 1920]
    screenshot(page, "phone-hevc-sync")
    assert not errors, errors
