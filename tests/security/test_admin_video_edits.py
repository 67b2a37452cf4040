"""The admin's video edits (issue #21): the audit log shows only the fields that changed, before
-> after (a metadata field, not the whole metadata twice), and a status moves only along the
changes an admin may make, offered in the page and enforced by the server."""

from __future__ import annotations

import re

from swingvision.db.managers import SYSTEM
from swingvision.db.managers.admin import STATUS_CHANGES
from swingvision.db.managers.audit import field_changes

from .test_admin_data import HX, add_swing, team  # noqa: F401 - the fixture, shared


def status_options(html: str, video_id: str) -> list[str]:
    row = html[html.index(f'id="video-{video_id}"') :]
    row = row[: row.index("</tr>")]
    select = re.search(r'<select name="status"[^>]*>(.*?)</select>', row, re.S)
    return re.findall(r'<option value="([^"]+)"', select.group(1)) if select else []


def test_the_audit_log_shows_only_the_changed_field(team, login_client, mgr):  # noqa: F811
    _, _, player, admin = team
    video, _ = add_swing(mgr, player)
    video = mgr.videos.update(
        video, metadata={**video.metadata, "club": "driver", "note": "x" * 50}
    )
    c = login_client(admin)
    r = c.post(f"/admin/videos/{player.id}/{video.id}/", {"club": "7-iron"}, headers=HX)
    assert r.status_code == 200
    [entry] = [
        e for e in mgr.audit.page(SYSTEM, target_id=video.id).entries if e.action == "video.update"
    ]
    assert entry.before == {"metadata": {"club": "driver"}}
    assert entry.after == {"metadata": {"club": "7-iron"}}
    page = c.get(f"/admin/audit/?target_type=video&target={video.id}").content.decode()
    row = page[page.index("video.update") :]
    row = row[: row.index("</tr>")]
    assert re.search(
        r"metadata › club</span>: <code class=\"before\">driver</code> → <code class=\"after\">7-iron</code>",
        row,
    ), row
    assert "face-on" not in row and "pose_ref" not in row and "xxxxx" not in row


def test_older_entries_with_whole_records_show_only_what_differs():
    before = {"status": "analyzed", "metadata": {"club": "driver", "view": "face-on", "fps": 30}}
    after = {"status": "analyzed", "metadata": {"club": "7i", "view": "face-on", "fps": 30}}
    assert field_changes(before, after) == [("metadata.club", "driver", "7i")]
    assert field_changes(None, {"a": 1}) == [("a", None, 1)]
    assert field_changes({"m": {"k": 1}}, {"m": {}}) == [("m.k", 1, None), ("m", None, {})]


def test_status_offers_and_allows_only_valid_changes(team, login_client, mgr):  # noqa: F811
    _, _, player, admin = team
    video, _ = add_swing(mgr, player)
    c = login_client(admin)
    page = c.get(f"/admin/videos/?player={player.id}").content.decode()
    assert status_options(page, video.id) == ["analyzed", *STATUS_CHANGES["analyzed"]]
    assert "processing" not in status_options(page, video.id)
    # Refused on the server too, naming the field; nothing written, nothing logged.
    logged = len(mgr.audit.page(SYSTEM, target_id=video.id).entries)
    for bad in ("processing", "expired"):
        r = c.post(f"/admin/videos/{player.id}/{video.id}/", {"status": bad}, headers=HX)
        assert r.status_code == 400, bad
        assert f"cannot go from analyzed to {bad}" in r.content.decode()
    assert mgr.videos.get(SYSTEM, player.id, video.id).status == "analyzed"
    assert len(mgr.audit.page(SYSTEM, target_id=video.id).entries) == logged
    # An allowed one goes through, and the row offers what is allowed from there.
    r = c.post(f"/admin/videos/{player.id}/{video.id}/", {"status": "failed"}, headers=HX)
    assert r.status_code == 200
    assert status_options(r.content.decode(), video.id) == ["failed", "uploaded"]
    # An expired video offers no change at all.
    gone = mgr.videos.update(mgr.videos.get(SYSTEM, player.id, video.id), status="expired")
    page = c.get(f"/admin/videos/{gone.user_id}/{gone.id}/").content.decode()
    assert '<select name="status"' not in page and "No status change from expired" in page
    r = c.post(f"/admin/videos/{player.id}/{video.id}/", {"status": "uploaded"})
    assert r.status_code == 400
