"""An admin reassigns a player to another coach inline (htmx, no page load) and that coach's
roster lists the player at once, in headless Chromium under the strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def watch(page, expected_statuses: tuple[int, ...] = ()) -> list[str]:
    """Console errors (a CSP violation is one) and failed responses, but for the statuses a test
    provokes on purpose."""
    errors: list[str] = []

    def on_console(m) -> None:
        if m.type == "error" and not m.text.startswith("Failed to load resource"):
            errors.append(m.text)

    def on_response(r) -> None:
        if r.status >= 400 and r.status not in expected_statuses:
            errors.append(f"{r.status} {r.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    return errors


def test_admin_moves_a_player_to_another_coach_inline(
    page, live_url, make_user, browser_login, mgr
):
    first = make_user("coach", name="Alma First")
    second = make_user("coach", name="Bruno Second")
    player = make_user("player", coach=first, name="Petra Moves")
    admin = make_user("admin", name="Ada Browser")
    errors = watch(page)

    browser_login(page, admin)
    page.get_by_role("link", name="Admin").click()
    expect(page).to_have_url(f"{live_url}/admin/users/")
    page.wait_for_load_state("networkidle")  # htmx has wired the page
    page.fill("#users-q", player.username)  # live search, swapped in by htmx
    row = page.locator(f"#user-{player.id}")
    expect(page.locator("#users-table tbody tr")).to_have_count(1)
    url_before = page.url
    navigations: list[str] = []
    page.on("framenavigated", lambda f: f == page.main_frame and navigations.append(f.url))

    row.get_by_label(f"Coach of {player.username}").select_option(label="Bruno Second")
    # The row is swapped in place with the saved value and a note; the page does not reload.
    expect(row.locator(".saved-note")).to_have_text("Saved")
    expect(row.get_by_label(f"Coach of {player.username}")).to_have_value(second.id)
    assert navigations == [] and page.url == url_before
    assert mgr.users.get(player.id).coach_id == second.id
    screenshot(page, "admin-reassign-coach")

    # The audit log shows who did it, from what to what.
    page.get_by_role("link", name="Audit log").click()
    first_entry = page.locator("table.audit tbody tr").first
    expect(first_entry).to_contain_text("user.update")
    expect(first_entry).to_contain_text(admin.username)
    expect(first_entry).to_contain_text(second.id)

    page.get_by_role("button", name="Log out").click()
    browser_login(page, second)
    assert page.url.endswith("/roster/")
    expect(page.locator("table.roster tbody")).to_contain_text("Petra Moves")
    screenshot(page, "admin-reassign-new-roster")
    page.get_by_role("button", name="Log out").click()
    browser_login(page, first)
    expect(page.locator("main")).not_to_contain_text("Petra Moves")
    assert not errors, errors


def test_inline_validation_error_is_shown_in_the_row(page, live_url, make_user, browser_login):
    player = make_user("player", name="Vera Valid")
    admin = make_user("admin")
    errors = watch(page, expected_statuses=(400,))
    browser_login(page, admin)
    page.goto(f"{live_url}/admin/users/?q={player.username}")
    page.wait_for_load_state("networkidle")
    row = page.locator(f"#user-{player.id}")
    name = row.get_by_label(f"Full name of {player.username}")
    name.fill("x" * 120 + "y")
    # maxlength stops the typing at 120: the browser helps, the server still checks below.
    expect(name).to_have_value("x" * 120)
    # The browser's own check lets this one through; the server's wants a domain with a dot.
    email = row.get_by_label(f"Email of {player.username}")
    email.fill("someone@localhost")
    row.locator("form:has(input[name=email])").get_by_role("button", name="Save").click()
    expect(row.locator(f"#error-email{player.id}")).to_have_text("enter a valid email address")
    expect(row.get_by_label(f"Email of {player.username}")).to_have_value(player.email)
    screenshot(page, "admin-inline-error")
    assert not errors, errors


def test_admin_changes_a_role_inline_and_the_roster_follows(
    page, live_url, make_user, browser_login, mgr
):
    coach = make_user("coach", name="Carla Roster")
    stays = make_user("player", coach=coach, name="Sid Stays")
    promoted = make_user("player", coach=coach, name="Pia Promoted")
    admin = make_user("admin", name="Ada Roles")
    errors = watch(page)

    browser_login(page, coach)
    expect(page.locator("table.roster tbody")).to_contain_text("Pia Promoted")
    page.get_by_role("button", name="Log out").click()

    browser_login(page, admin)
    page.goto(f"{live_url}/admin/users/?q={promoted.username}")
    page.wait_for_load_state("networkidle")
    row = page.locator(f"#user-{promoted.id}")
    navigations: list[str] = []
    page.on("framenavigated", lambda f: f == page.main_frame and navigations.append(f.url))
    row.get_by_label(f"Role of {promoted.username}").select_option("coach")
    # Swapped in place: saved, and a coach has no coach of their own to pick.
    expect(row.locator(".saved-note")).to_have_text("Saved")
    expect(row.get_by_label(f"Role of {promoted.username}")).to_have_value("coach")
    expect(row.get_by_label(f"Coach of {promoted.username}")).to_have_count(0)
    assert navigations == []
    assert mgr.users.get(promoted.id).role == "coach"
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit tbody tr").first).to_contain_text("user.update")
    page.get_by_role("button", name="Log out").click()

    # The coach's roster no longer lists them; the other player is still there.
    browser_login(page, coach)
    roster = page.locator("table.roster tbody")
    expect(roster).to_contain_text("Sid Stays")
    expect(roster).not_to_contain_text("Pia Promoted")
    page.get_by_role("button", name="Log out").click()
    # The new coach signs in to a roster of their own (empty for now).
    browser_login(page, promoted)
    assert page.url.endswith("/roster/")
    expect(page.locator("main")).not_to_contain_text("Sid Stays")
    screenshot(page, "admin-role-change-new-coach")
    assert stays.coach_id == coach.id and not errors, errors
