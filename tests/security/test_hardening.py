"""Hardening: CSRF on every write, cookie flags, security headers, a CSP that the pages actually
keep (no inline script, handler or style), login throttling per account and per client address,
session expiry, and `manage.py check --deploy` clean with the production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from swingvision.accounts.throttle import MAX_FAILURES_PER_IP, client_ip, login_throttle
from tests.conftest import TEST_PASSWORD

from .test_access_matrix import _kwarg_values, expected, fill, routes

REPO = Path(__file__).resolve().parents[2]


# -- headers and cookies ------------------------------------------------------------------------
def test_security_headers_and_cookie_flags(world):
    c = Client()
    r = c.post("/login/", {"username": world.users["coach"].username, "password": TEST_PASSWORD})
    session = r.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    r = c.get("/roster/")
    csp = r["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    csrf = Client().get("/login/").cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline <script>, on* handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.found.append("inline <script>")
        for name, _ in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f"<{tag} style=...>")
        if tag == "a" and (names.get("href") or "").lower().startswith("javascript:"):
            self.found.append("javascript: link")

    handle_startendtag = handle_starttag


@pytest.mark.parametrize("role", ["player", "coach", "admin"])
def test_every_page_keeps_the_csp(world, role):
    """Every routed page that renders for this role has no inline script, handler or style."""
    client = world.client(role)
    values = _kwarg_values(world)
    problems = []
    for route, pattern in routes():
        if expected(route, pattern, role) != 200:
            continue
        r = client.get(fill(route, values))
        if r.status_code != 200 or not r.get("Content-Type", "").startswith("text/html"):
            continue
        parser = InlineCode()
        parser.feed(r.content.decode("utf-8", "replace"))
        problems += [f"{route}: {what}" for what in parser.found]
    assert not problems, "\n".join(problems)


# -- CSRF on every write --------------------------------------------------------------------------
def test_every_write_needs_the_csrf_token(world, gateway):
    """A POST without the token is refused (403) on every URL, before anything is written."""
    from .test_admin_data import HOSTILE_FORM, fingerprint

    logged_in = world.client("admin")
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    strict.cookies = logged_in.cookies
    values = _kwarg_values(world)
    before = fingerprint(gateway)
    allowed = []
    for route, pattern in routes():
        r = strict.post(fill(route, values), HOSTILE_FORM)
        if r.status_code not in (403, 405):
            allowed.append(f"{route} ({pattern.name}): {r.status_code}")
    assert not allowed, "POST without a CSRF token was accepted:\n" + "\n".join(allowed)
    assert fingerprint(gateway) == before
    assert logged_in.get("/admin/users/").status_code == 200  # the session is untouched


# -- login throttling -------------------------------------------------------------------------------
def test_failures_are_limited_per_client_address_across_accounts(world):
    c = Client()
    for i in range(MAX_FAILURES_PER_IP):
        c.post("/login/", {"username": f"nobody{i}", "password": "wrong-password-x"})
    r = c.post("/login/", {"username": world.users["admin"].username, "password": TEST_PASSWORD})
    assert r.status_code == 429 and b"Too many failed attempts" in r.content
    # Another address is not affected.
    r = Client(REMOTE_ADDR="127.0.0.9").post(
        "/login/", {"username": world.users["admin"].username, "password": TEST_PASSWORD}
    )
    assert r.status_code == 302


def test_parallel_guesses_cannot_pass_the_limit_together(world, monkeypatch):
    """Each attempt is claimed before its password is checked: 15 guesses at once at one account
    get MAX_FAILURES_PER_LOGIN checks and 429 for the rest (they all used to be checked, the limit
    counting only failures already finished). The right password is then locked out too."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from swingvision.accounts.throttle import MAX_FAILURES_PER_LOGIN
    from swingvision.db.managers.users import Users

    # A production hash takes a good part of a second (PBKDF2); the tests' MD5 takes none, which
    # would let the guesses run one after another by chance.
    check = Users.authenticate

    def slow_check(self, login: str, password: str):
        time.sleep(0.3)
        return check(self, login, password)

    monkeypatch.setattr(Users, "authenticate", slow_check)

    name = world.users["player"].username
    n = 3 * MAX_FAILURES_PER_LOGIN
    start = Barrier(n)

    def guess(i: int) -> int:
        c = Client(REMOTE_ADDR=f"127.0.1.{i}")  # an address each: only the account's limit
        start.wait(timeout=30)
        return c.post("/login/", {"username": name, "password": f"wrong-guess-{i}"}).status_code

    with ThreadPoolExecutor(n) as pool:
        codes = sorted(pool.map(guess, range(n)))
    assert codes.count(400) == MAX_FAILURES_PER_LOGIN and codes.count(429) == n - codes.count(400)
    r = Client(REMOTE_ADDR="127.0.2.1").post(
        "/login/", {"username": name, "password": TEST_PASSWORD}
    )
    assert r.status_code == 429


def test_a_success_or_an_empty_field_does_not_count_against_the_address(world):
    c = Client(REMOTE_ADDR="127.0.3.1")
    for _ in range(MAX_FAILURES_PER_IP + 5):
        assert c.post("/login/", {"username": "", "password": ""}).status_code == 400
    for _ in range(MAX_FAILURES_PER_IP + 5):
        r = c.post(
            "/login/", {"username": world.users["coach"].username, "password": TEST_PASSWORD}
        )
        assert r.status_code == 302
        c.post("/logout/")


def test_the_client_address_comes_from_trusted_proxies_only(settings):
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.SWINGVISION_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"  # a client cannot pick its own address
    settings.SWINGVISION_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"  # the address our one proxy saw
    settings.SWINGVISION_TRUSTED_PROXIES = 3
    assert client_ip(request) == "10.0.0.1"  # fewer hops than trusted: not believable


def test_throttle_memory_stays_bounded(monkeypatch):
    import swingvision.accounts.throttle as throttle

    monkeypatch.setattr(throttle, "MAX_KEYS", 50)
    monkeypatch.setattr(throttle, "WINDOW_S", 0.0)
    rf = RequestFactory()
    for i in range(200):
        login_throttle.failed(f"user{i}", rf.post("/login/", REMOTE_ADDR=f"10.1.{i}.1"))
        time.sleep(0.0001)
    assert len(login_throttle._failures) <= 52


# -- session expiry ---------------------------------------------------------------------------------
def _session_of(client):
    from swingvision.accounts.sessions import SessionStore

    return SessionStore(client.cookies["sessionid"].value)


def test_idle_sessions_expire(world, settings):
    from swingvision.accounts.sessions import SEEN_KEY

    c = Client()
    c.post("/login/", {"username": world.users["coach"].username, "password": TEST_PASSWORD})
    assert c.get("/roster/").status_code == 200
    store = _session_of(c)
    store[SEEN_KEY] = int(time.time()) - settings.SWINGVISION_SESSION_IDLE_SECONDS - 10
    store.save()
    r = c.get("/roster/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_sessions_end_after_the_absolute_limit_even_when_active(world, settings):
    from swingvision.accounts.sessions import AUTH_AT_KEY, SEEN_KEY

    c = Client()
    c.post("/login/", {"username": world.users["coach"].username, "password": TEST_PASSWORD})
    store = _session_of(c)
    store[AUTH_AT_KEY] = int(time.time()) - settings.SESSION_COOKIE_AGE - 10
    store[SEEN_KEY] = int(time.time())
    store.save()
    assert c.get("/roster/").status_code == 302


def test_an_active_session_is_touched_rarely_and_its_expiry_moves(world, mgr):
    from swingvision.accounts.sessions import SEEN_KEY, SESSION_TOUCH_S

    c = Client()
    c.post("/login/", {"username": world.users["coach"].username, "password": TEST_PASSWORD})
    key = c.cookies["sessionid"].value
    first = mgr.sessions.get(key).expires_at
    c.get("/roster/")
    assert mgr.sessions.get(key).expires_at == first  # no write on every request
    store = _session_of(c)
    store[SEEN_KEY] = int(time.time()) - SESSION_TOUCH_S - 5
    store.save()
    before = mgr.sessions.get(key).expires_at
    time.sleep(0.01)
    assert c.get("/roster/").status_code == 200
    assert mgr.sessions.get(key).expires_at > before


# -- production settings ------------------------------------------------------------------------
def _production_env(tmp_path) -> dict:
    # The test process's own switches (the SWINGVISION_* test settings, and the async-unsafe
    # allowance conftest sets for Playwright) are not part of a production environment.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SWINGVISION_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        SWINGVISION_ENV="production",
        SWINGVISION_SECRET_KEY=secrets.token_urlsafe(64),
        SWINGVISION_ALLOWED_HOSTS="coach.example.com",
        SWINGVISION_DB=f"sqlite:///{tmp_path / 'prod.db'}",
        SWINGVISION_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="swingvision.settings",
    )
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=REPO,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_production_settings_values(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_NAME, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "__Host-sessionid",
        "True",
        "True",
        "DENY",
    ], result.stderr
    env = _production_env(tmp_path)
    del env["SWINGVISION_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SWINGVISION_SECRET_KEY must be set" in result.stderr
