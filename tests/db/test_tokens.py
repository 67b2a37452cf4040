"""The API tokens manager on every configured backend."""

from __future__ import annotations

import pytest

from swingvision.db import NotFound
from swingvision.db.managers import ValidationError
from tests.backends import managers_fixture
from tests.factories import account

m = managers_fixture()


def test_tokens_create_authenticate_revoke(m):
    coach = account(m, "coach")
    other = account(m, "coach")
    token, raw = m.tokens.create(coach, name="  capture   app ")
    assert token.name == "capture app" and raw.startswith("svt_") and len(raw) > 40
    user, found = m.tokens.authenticate(raw)
    assert user.id == coach.id and found.id == token.id
    assert m.tokens.authenticate(raw + "x") is None
    assert m.tokens.authenticate("not-a-token") is None
    assert [t.id for t in m.tokens.for_user(coach)] == [token.id]
    assert m.tokens.for_user(other) == []
    with pytest.raises(NotFound):
        m.tokens.revoke(other, token.id)  # someone else's token
    revoked = m.tokens.revoke(coach, token.id)
    assert revoked.revoked_at is not None and not revoked.active
    assert m.tokens.authenticate(raw) is None  # at once, no refresh needed
    assert m.tokens.revoke(coach, token.id).revoked_at == revoked.revoked_at  # idempotent
    with pytest.raises(ValidationError, match="name"):
        m.tokens.create(coach, name="   ")
    # An inactive user's token stops working.
    _, raw2 = m.tokens.create(coach, name="second")
    m.users.update(coach, active=False)
    assert m.tokens.authenticate(raw2) is None


def test_a_token_is_read_by_its_owner_only(m, team):
    coach = team["coach"]
    token, _ = m.tokens.create(coach, name="capture app")
    assert m.tokens.get(coach, token.id) == token
    with pytest.raises(NotFound):
        m.tokens.get(team["other_coach"], token.id)
    with pytest.raises(NotFound):
        m.tokens.get(coach, "no-such-token")


def test_end_all_revokes_every_active_token_of_a_user_and_no_one_else(m, team):
    coach, other = team["coach"], team["other_coach"]
    kept, kept_raw = m.tokens.create(other, name="other coach's app")
    raws = [m.tokens.create(coach, name=f"app {i}")[1] for i in range(2)]
    active = [t for t in m.tokens.for_user(coach) if t.revoked_at is None]
    assert len(active) >= 2 and all(m.tokens.authenticate(r) for r in raws)
    assert m.tokens.end_all(coach.id) == len(active)
    assert all(t.revoked_at is not None for t in m.tokens.for_user(coach))
    assert not any(m.tokens.authenticate(r) for r in raws)
    assert m.tokens.end_all(coach.id) == 0  # nothing left to end
    assert m.tokens.authenticate(kept_raw) is not None and kept.revoked_at is None
