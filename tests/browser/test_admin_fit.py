"""The admin's tables fit their box at 1280 px (issue #21): no page is wider than the window and no
table is cut off inside its card; after an inline status change the "Saved" note and the Delete
button are on screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import OUTPUT_DIR, unique
from tests.dashboard.helpers import account, add_swing

from .dashboard_support import assert_no_overflow, watch_errors

pytestmark = pytest.mark.browser

PAGES = ["users", "videos", "analyses", "progress", "audit"]


@pytest.fixture(scope="module")
def world(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    admin = account(m, "admin", name="Fit Admin")
    coach = account(m, "coach", name="Fit Coach With A Rather Long Name")
    player = account(m, "player", coach=coach, name="Fit Player With A Long Name Too")
    video, _, _ = add_swing(m, player, seed=71)
    video = m.videos.update(
        video,
        filename=f"IMG_{unique('')}_range_session_december_slow_motion_240fps.MOV",
        metadata={**video.metadata, "club": "7-iron"},
    )
    m.admin.update_video(admin, player.id, video.id, {"club": "driver"})
    return m, admin, player, video


def test_admin_tables_fit_at_1280(page, live_url, browser_login, world):
    m, admin, player, video = world
    errors = watch_errors(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, admin)
    for name in PAGES:
        page.goto(f"{live_url}/admin/{name}/")
        expect(page.locator("table.data").first).to_be_visible()
        assert_no_overflow(page)
    page.goto(f"{live_url}/admin/videos/?player={player.id}")
    page.wait_for_load_state("networkidle")
    row = page.locator(f"#video-{video.id}")
    row.locator("select[name=status]").select_option("failed")
    expect(row.locator(".saved-note")).to_have_text("Saved")
    assert_no_overflow(page)
    for selector in (".saved-note", "button.danger"):
        box = row.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280, (selector, box)
    page.screenshot(path=str(OUTPUT_DIR / "admin-videos-1280.png"), full_page=True)
    assert m.videos.get(admin, player.id, video.id).status == "failed"
    assert not errors, errors
