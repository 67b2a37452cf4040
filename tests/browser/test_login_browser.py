"""The login page and a coach's first look at the roster, in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_login_page_renders_and_rejects_a_wrong_password(page, live_url, make_user):
    coach = make_user("coach")
    page.goto(f"{live_url}/login/")
    assert page.title().startswith("Log in")
    page.fill("#id_username", coach.username)
    page.fill("#id_password", "definitely-wrong")
    page.click("button[type=submit]")
    assert page.locator("#login-error").inner_text() == "Wrong username or password."
    screenshot(page, "login-error")


def test_coach_logs_in_and_sees_the_roster(page, live_url, make_user, browser_login):
    coach = make_user("coach", name="Casey Browser")
    for name in ("Avery Able", "Blake Baker"):
        make_user("player", coach=coach, name=name)
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    browser_login(page, coach)
    assert page.url.endswith("/roster/")
    rows = page.locator("table.roster tbody tr")
    assert rows.count() == 2
    assert "Avery Able" in rows.nth(0).inner_text()
    # htmx is served from our static files and live-searches the roster.
    page.fill("#roster-q", "blake")
    expect(rows).to_have_count(1)
    assert "Blake Baker" in page.locator("table.roster tbody").inner_text()
    assert "q=blake" in page.url
    screenshot(page, "roster-search")
    assert not errors, errors
