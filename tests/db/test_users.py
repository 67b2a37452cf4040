"""The users manager on every configured backend: logins, uniqueness, roles, passwords, profiles."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta

import pytest

from swingvision.db import Changed, NotFound
from swingvision.db.managers import SYSTEM, ValidationError
from tests.backends import managers_fixture
from tests.db.helpers import NEW_PASSWORD, audit_for, open_session, race, stored_session
from tests.factories import TEST_PASSWORD, account, unique

m = managers_fixture()


def test_users_round_trip(m, team):
    coach, player = team["coach"], team["player"]
    got = m.users.get(player.id)
    assert got == player
    assert got.settings == {"handedness": "left", "targets": {"tempo_ratio": [2.8, 3.2]}, "n": 3}
    assert got.created_at.tzinfo is not None and got.created_at.utcoffset() == timedelta(0)
    assert got.password_hash and TEST_PASSWORD not in got.password_hash
    assert m.users.by_login(player.username) == player
    assert m.users.by_login(player.email) == player
    assert [p.id for p in m.users.players_of(coach, coach.id)] == [player.id]
    assert m.users.authenticate(player.username, TEST_PASSWORD) == player
    assert m.users.authenticate(player.username, "wrong-password-123") is None


def test_usernames_and_emails_are_unique(m, team):
    player = team["player"]
    with pytest.raises(ValidationError) as e:
        m.users.create(
            username=player.username.upper(),
            email="new@example.com",
            password=TEST_PASSWORD,
            role="player",
        )
    assert e.value.field == "username"
    with pytest.raises(ValidationError) as e:
        m.users.create(
            username=unique("fresh"), email=player.email, password=TEST_PASSWORD, role="player"
        )
    assert e.value.field == "email"
    # The failed attempt released what it claimed: the fresh username is still free.
    assert m.users.by_login("new@example.com") is None


def test_user_update_moves_the_login_claims(m, team):
    coach = team["coach"]
    p = account(m, "player", coach=coach)
    old_name = p.username
    p2 = m.users.update(p, username=unique("moved"), settings={"handedness": "right"})
    assert m.users.get(p.id).username == p2.username
    assert m.users.get(p.id).settings == {"handedness": "right"}
    # The old name is free again, the new one is taken.
    m.users.create(
        username=old_name, email=f"{unique('x')}@example.com", password=TEST_PASSWORD, role="player"
    )
    with pytest.raises(ValidationError):
        m.users.create(
            username=p2.username,
            email=f"{unique('y')}@example.com",
            password=TEST_PASSWORD,
            role="player",
        )


def test_users_find_by_role_all_and_count(m, team):
    coach, admin, player = team["coach"], team["admin"], team["player"]
    before = m.users.count()
    zed = account(m, "coach", name="Zed Zimmer")
    abe = account(m, "coach", name="Abe Adams")
    assert m.users.count() == before + 2
    assert m.users.find(abe.id) == abe
    assert m.users.find("no-such-user") is None
    # Coaches by name (a coach may list coaches: the sign-up and reassignment pickers).
    coaches = m.users.by_role(coach, "coach")
    assert {u.role for u in coaches} == {"coach"}
    assert [(u.full_name, u.username) for u in coaches] == sorted(
        (u.full_name, u.username) for u in coaches
    )
    ids = [u.id for u in coaches]
    assert ids.index(abe.id) < ids.index(coach.id) < ids.index(zed.id)
    assert [u.id for u in m.users.by_role(player, "coach")] == ids
    # Paging walks the same order.
    assert m.users.by_role(coach, "coach", limit=2, offset=1) == coaches[1:3]
    # Anything but coaches is for admins only.
    players = m.users.by_role(admin, "player")
    assert player in players and {u.role for u in players} == {"player"}
    admins = m.users.by_role(SYSTEM, "admin")
    assert admin in admins and {u.role for u in admins} == {"admin"}
    for actor in (coach, player):
        with pytest.raises(NotFound):
            m.users.by_role(actor, "player")
    with pytest.raises(ValidationError) as e:
        m.users.by_role(admin, "owner")
    assert e.value.field == "role"
    # Everyone, by role then name, admins only.
    everyone = m.users.all(admin, limit=100_000)
    assert len(everyone) == m.users.count()
    assert [(u.role, u.full_name, u.username) for u in everyone] == sorted(
        (u.role, u.full_name, u.username) for u in everyone
    )
    assert m.users.all(SYSTEM, limit=3, offset=2) == everyone[2:5]
    with pytest.raises(NotFound):
        m.users.all(coach)


def test_set_password_checks_the_rules_replaces_the_hash_and_ends_sessions(m, team):
    p = account(m, "player", coach=team["coach"])
    mine = open_session(m, p.id)
    theirs = open_session(m, team["player"].id)
    for bad, kw in (("short1", {}), (f"my{p.username}pass", {"username": p.username})):
        with pytest.raises(ValidationError) as e:
            m.users.set_password(p.id, bad, **kw)
        assert e.value.field == "password"
    # A refused password changes nothing.
    assert m.users.authenticate(p.username, TEST_PASSWORD) == p
    assert m.sessions.get(mine.session_key) is not None
    m.users.set_password(p.id, NEW_PASSWORD, username=p.username)
    got = m.users.get(p.id)
    assert got.password_hash != p.password_hash and NEW_PASSWORD not in got.password_hash
    assert got.updated_at >= p.updated_at
    assert m.users.authenticate(p.username, NEW_PASSWORD).id == p.id
    assert m.users.authenticate(p.username, TEST_PASSWORD) is None
    assert stored_session(m, mine.session_key) is None  # every session of that user ended
    assert m.sessions.get(theirs.session_key) is not None  # nobody else's


def test_login_owner_names_the_account_of_a_username_or_email_in_any_case(m, team):
    coach = team["coach"]
    for login in (coach.username, coach.email, coach.username.upper(), f"  {coach.email} "):
        assert m.users.login_owner(login) == coach.id
    assert m.users.login_owner("nobody-by-that-name") is None


def test_profile_and_password_change_are_ones_own(m):
    u = account(m, "player", name="Old Name")
    old_email = u.email
    email = f"{unique('moved')}@example.com"
    new = m.admin.update_profile(u, full_name="  New Name ", email=f" {email} ")
    assert (new.full_name, new.email) == ("New Name", email)
    assert m.users.get(u.id) == new
    assert m.users.by_login(email).id == u.id and m.users.by_login(old_email) is None
    [entry] = audit_for(m, "user", u.id)
    assert entry.action == "user.profile" and entry.actor_id == u.id
    assert entry.before == {"full_name": "Old Name", "email": old_email}
    assert entry.after == {"full_name": "New Name", "email": email}
    for kw, field in (
        ({"full_name": "x", "email": "not-an-email"}, "email"),
        ({"full_name": "tab\there", "email": email}, "full_name"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.update_profile(u, **kw)
        assert e.value.field == field
    session = open_session(m, u.id)
    for current, pw, field in (
        ("wrong-password-99", NEW_PASSWORD, "current_password"),
        (TEST_PASSWORD, TEST_PASSWORD, "new_password"),
        (TEST_PASSWORD, "1234567890", "new_password"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.change_password(u, current=current, new=pw)
        assert e.value.field == field
    assert m.users.authenticate(u.username, TEST_PASSWORD).id == u.id
    assert stored_session(m, session.session_key) is not None
    m.admin.change_password(u, current=TEST_PASSWORD, new=NEW_PASSWORD)
    assert m.users.authenticate(u.username, NEW_PASSWORD).id == u.id
    assert m.users.authenticate(u.username, TEST_PASSWORD) is None
    assert stored_session(m, session.session_key) is None
    entry = audit_for(m, "user", u.id)[0]
    assert entry.action == "user.password_change" and NEW_PASSWORD not in repr(entry.after)


def test_settings_are_written_only_over_the_ones_read(m):
    """Two saves of a player's settings from one read (two tabs at the same moment): one is
    written, the other is Changed, never a silent overwrite of the first."""
    p = account(m, "player")
    banded = m.users.set_settings(p, {**p.settings, "targets": {"tempo_ratio": [2.8, 3.2]}})
    assert m.users.get(p.id).settings == banded.settings
    with pytest.raises(Changed):  # `p` holds the settings before that save
        m.users.set_settings(p, {**p.settings, "handedness": "left"})
    assert m.users.get(p.id).settings == banded.settings
    saves = iter([{"handedness": "left"}, {"view": "down-the-line"}])
    lock = threading.Lock()

    def save():
        with lock:
            change = next(saves)
        try:
            m.users.set_settings(banded, {**banded.settings, **change})
        except Changed:
            return False
        return True

    assert race(m, save, racers=2) == [False, True]
    stored = m.users.get(p.id).settings
    assert stored["targets"] == {"tempo_ratio": [2.8, 3.2]}
    assert ("handedness" in stored) != ("view" in stored)  # one of the two, whole
    with pytest.raises(NotFound):
        m.users.set_settings(dataclasses.replace(p, id="nobody"), {})
