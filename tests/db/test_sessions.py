"""The sessions manager on every configured backend: round trip, expiry, deletes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from swingvision.db.codec import utc_now
from swingvision.db.records import SessionRecord
from tests.backends import managers_fixture
from tests.db.helpers import open_session, stored_session
from tests.factories import unique

m = managers_fixture()


def test_sessions_round_trip_and_expiry(m):
    now = datetime.now(UTC)
    rec = SessionRecord(
        session_key=unique("s"), user_id="u1", data="payload", expires_at=now + timedelta(hours=1)
    )
    assert m.sessions.insert(rec) is True
    assert m.sessions.insert(rec) is False
    got = m.sessions.get(rec.session_key)
    assert got.data == "payload" and got.user_id == "u1"
    m.sessions.delete_for_user("u1")
    assert m.sessions.get(rec.session_key) is None
    stale = dataclasses.replace(rec, session_key=unique("s"), expires_at=now - timedelta(seconds=1))
    m.sessions.insert(stale)
    assert m.sessions.get(stale.session_key) is None


def test_sessions_update_delete_and_delete_expired(m, team):
    uid = team["player"].id
    live = open_session(m, uid)
    expired = open_session(m, uid, expires_in=timedelta(seconds=-5))
    later = utc_now() + timedelta(days=2)
    moved = dataclasses.replace(live, data='{"k": 2}', expires_at=later)
    assert m.sessions.update(moved) is True
    got = m.sessions.get(live.session_key)
    assert got.data == '{"k": 2}' and got.expires_at == later and got.user_id == uid
    ghost = dataclasses.replace(live, session_key=unique("ghost"))
    assert m.sessions.update(ghost) is False
    assert stored_session(m, ghost.session_key) is None  # an update never inserts
    # Expired rows are hidden at once and purged by delete_expired; live rows stay.
    assert m.sessions.get(expired.session_key) is None
    assert stored_session(m, expired.session_key) is not None
    m.sessions.delete_expired()
    assert stored_session(m, expired.session_key) is None
    assert m.sessions.get(live.session_key) == got
    m.sessions.delete(live.session_key)
    assert stored_session(m, live.session_key) is None
    m.sessions.delete(live.session_key)  # deleting a missing session is not an error
