"""The audit log on every configured backend: the same entries, newest first, paged by cursor."""

from __future__ import annotations

import pytest

from swingvision.db import NotFound
from swingvision.db.managers import SYSTEM, ValidationError
from tests.backends import managers_fixture
from tests.factories import account

m = managers_fixture()


def test_entries_round_trip_newest_first_with_cursor_paging(m):
    admin = account(m, "admin")
    player = account(m, "player")
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
    coach = account(m, "coach")
    with pytest.raises(NotFound):
        m.audit.page(coach)
    with pytest.raises(ValidationError):
        m.audit.page(SYSTEM, cursor="not-a-cursor")
