"""The audit log and the admin listings against every configured backend (SQLite always, CrateDB
when SWINGVISION_CRATEDB_URL is set): the same entries, newest first, paged by cursor."""

from __future__ import annotations

import pytest

from swingvision.db import NotFound
from swingvision.db.managers import SYSTEM, ValidationError
from tests.backends import managers_fixture
from tests.factories import account

m = managers_fixture()


def _user(m, role, **kw):
    return account(m, role, **kw)


def test_entries_round_trip_newest_first_with_cursor_paging(m):
    admin = _user(m, "admin")
    player = _user(m, "player")
    written = [
        m.audit.record(
            admin,
            "user.update",
            target_type="user",
            target_id=player.id,
            player_id=player.id,
            before={"full_name": f"n{i}", "settings": {"targets": {"tempo_ratio": [2.5, 3.0]}}},
            after={"full_name": f"n{i + 1}", "note": "<b>é</b>", "n": i, "ok": True},
        )
        for i in range(7)
    ]
    first = m.audit.page(admin, target_type="user", target_id=player.id, limit=3)
    assert [e.id for e in first.entries] == [e.id for e in reversed(written)][:3]
    assert first.entries[0] == written[-1]  # every field, dicts and timestamps included
    seen = [e.id for e in first.entries]
    cursor = first.next_cursor
    while cursor:
        page = m.audit.page(admin, target_type="user", target_id=player.id, cursor=cursor, limit=3)
        seen += [e.id for e in page.entries]
        cursor = page.next_cursor
    assert seen == [e.id for e in reversed(written)]
    # The generic filters give the same history.
    by_player = m.audit.page(admin, player_id=player.id, limit=10).entries
    assert [e.id for e in by_player] == seen
    assert m.audit.page(admin, actor_id=admin.id, target_type="user", limit=10).entries
    assert m.audit.get(admin, written[0].id) == written[0]


def test_only_admins_read_the_log_and_cursors_are_checked(m):
    coach = _user(m, "coach")
    with pytest.raises(NotFound):
        m.audit.page(coach)
    with pytest.raises(ValidationError):
        m.audit.page(SYSTEM, cursor="not-a-cursor")


def test_admin_listings_search_and_page(m):
    admin = _user(m, "admin")
    coach = _user(m, "coach", full_name="Searchable Coach_Name")
    player = _user(m, "player", coach_id=coach.id, full_name="Paged Player")
    video = m.videos.create(SYSTEM, player.id, filename="a.mp4", status="failed")
    found = m.admin.users_page(admin, q="coach_name").rows
    assert [u.id for u in found] == [coach.id]
    # LIKE's metacharacters in a search stand for one character, not for "anything".
    assert coach.id not in [u.id for u in m.admin.users_page(admin, q="zz%zz").rows]
    assert [u.id for u in m.admin.users_page(admin, q="coach%name").rows] == [coach.id]
    videos = m.admin.videos_page(admin, status="failed", player_id=player.id)
    assert [r.record.id for r in videos.rows] == [video.id] and videos.rows[0].player == player
    rerun = m.admin.rerun_analysis(admin, player.id, video.id)
    assert rerun.status == "uploaded"
    assert m.audit.page(admin, target_type="video", target_id=video.id).entries[0].action == (
        "video.rerun"
    )
