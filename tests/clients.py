"""Logged-in test clients and browser pages: through the real login form, the login throttle
reset first."""

from __future__ import annotations

from django.test import Client

from swingvision.accounts.throttle import login_throttle
from tests.factories import TEST_PASSWORD


def logged_in(user, password: str = TEST_PASSWORD, *, csrf: bool = False, **client_kw) -> Client:
    """A client logged in as `user`; `csrf` checks CSRF tokens like a browser (the login form's
    token is fetched first). Further keywords go to Client()."""
    login_throttle.reset()
    c = Client(enforce_csrf_checks=csrf, **client_kw)
    form = {"username": user.username, "password": password}
    if csrf:
        c.get("/login/")
        form["csrfmiddlewaretoken"] = c.cookies["csrftoken"].value
    r = c.post("/login/", form)
    assert r.status_code == 302, r.content[:500]
    return c


def log_in_page(page, live_url: str, username: str, password: str = TEST_PASSWORD):
    """A Playwright page logged in through the login form (the login throttle reset first)."""
    login_throttle.reset()
    page.goto(f"{live_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


class TeamClients:
    """A test team's clients (a dataclass with a `clients` dict): one logged-in client per user
    and CSRF mode, made once; no user gives an anonymous client."""

    clients: dict

    def client(self, user, *, csrf: bool = False) -> Client:
        if user is None:
            return Client()
        key = (user.id, csrf)
        if key not in self.clients:
            self.clients[key] = logged_in(user, csrf=csrf)
        return self.clients[key]
