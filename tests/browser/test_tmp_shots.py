import pytest
from tests.conftest import screenshot
from tests.security.conftest import build_world
pytestmark = pytest.mark.browser
def test_shots(page, live_url, browser_login, mgr):
    w = build_world(mgr)
    browser_login(page, w.users["admin"])
    p, a, v = w.player.id, w.analysis.id, w.video.id
    mgr.admin.update_feedback(w.users["admin"], p, a, [{"aspect": "grip", "finding": "<b>weak</b>", "recommendation": "Turn the left hand", "priority": "1"}])
    for name, url in [("x-admin-videos", "/admin/videos/"), ("x-admin-audit", "/admin/audit/"), ("x-admin-video", f"/admin/videos/{p}/{v}/"),
                      ("x-admin-user", f"/admin/users/{p}/"), ("x-analyses", "/admin/analyses/"), ("x-progress", "/admin/progress/"),
                      ("x-settings", f"/players/{p}/settings/"), ("x-feedback", f"/players/{p}/analyses/{a}/feedback/"), ("x-profile", "/profile/")]:
        page.goto(live_url + url)
        screenshot(page, name)
