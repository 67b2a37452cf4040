"""Login, logout and sessions stored through the gateway."""

from __future__ import annotations

from django.test import Client

from tests.factories import TEST_PASSWORD


def test_login_page_is_public_and_everything_else_needs_login(gateway):
    c = Client()
    assert c.get("/login/").status_code == 200
    r = c.get("/roster/")
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=/roster/")
    assert c.get("/healthz").status_code == 200


def test_coach_logs_in_and_sees_their_roster(make_user, gateway):
    coach = make_user("coach")
    make_user("player", coach=coach, name="Robin Roster")
    c = Client()
    r = c.post("/login/", {"username": coach.username, "password": TEST_PASSWORD}, follow=True)
    assert r.status_code == 200
    assert b"Robin Roster" in r.content


def test_wrong_password_gets_a_clear_message(make_user, gateway):
    player = make_user("player")
    r = Client().post("/login/", {"username": player.username, "password": "not-the-password"})
    assert r.status_code == 400
    assert b"Wrong username or password." in r.content
    r = Client().post("/login/", {"username": "nobody-at-all", "password": "whatever-123"})
    assert b"Wrong username or password." in r.content


def test_logout_ends_the_session_on_the_server(make_user, login_client, mgr):
    coach = make_user("coach")
    c = login_client(coach)
    assert c.get("/roster/").status_code == 200
    cookie = c.cookies["sessionid"].value
    assert mgr.sessions.get(cookie) is not None
    assert c.post("/logout/").status_code == 302
    assert mgr.sessions.get(cookie) is None
    copied = Client()
    copied.cookies["sessionid"] = cookie
    r = copied.get("/roster/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_logout_needs_post_with_csrf(make_user, login_client):
    coach = make_user("coach")
    c = login_client(coach)
    assert c.get("/logout/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = c.cookies
    assert strict.post("/logout/").status_code == 403
    assert c.get("/roster/").status_code == 200


def test_passwords_are_hashed(make_user, gateway):
    user = make_user("player")
    raw = gateway.run_sql("SELECT password_hash FROM users WHERE id = ?", [user.id])[0][0]
    assert TEST_PASSWORD not in raw and raw.count("$") >= 2


def test_session_rotates_on_login(make_user, gateway):
    coach = make_user("coach")
    c = Client()
    c.get("/login/")
    c.cookies["sessionid"] = "attacker-chosen-session-key"
    c.post("/login/", {"username": coach.username, "password": TEST_PASSWORD})
    assert c.cookies["sessionid"].value != "attacker-chosen-session-key"


def test_repeated_failures_are_throttled(make_user, gateway):
    coach = make_user("coach")
    c = Client()
    for _ in range(5):
        c.post("/login/", {"username": coach.username, "password": "wrong-password-1"})
    r = c.post("/login/", {"username": coach.username, "password": TEST_PASSWORD})
    assert r.status_code == 429 and b"Too many failed attempts" in r.content


def test_open_redirect_after_login_is_refused(make_user, gateway):
    coach = make_user("coach")
    r = Client().post(
        "/login/",
        {"username": coach.username, "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert r["Location"] == "/"


def test_deactivated_user_cannot_log_in_and_is_logged_out(make_user, login_client, mgr):
    player = make_user("player")
    c = login_client(player)
    mgr.users.update(player, active=False)
    assert c.get(f"/players/{player.id}/").status_code == 302
    r = Client().post("/login/", {"username": player.username, "password": TEST_PASSWORD})
    assert r.status_code == 400
