"""Shared by the dashboard browser tests: the seeded demo, logging in as a demo user, watching the
console, and waiting for the replay and the charts."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.clients import log_in_page

# The demo world the dashboard browser tests use (seed_demo is idempotent: a second call with the
# same sizes adds nothing).
PLAYERS_PER_COACH = 6
SWINGS_PER_PLAYER = 3
COACH_ID = "demo-coach-morgan"


def seed(gateway):
    from analysis.demo import seed_demo
    from swingvision.db.managers import managers

    m = managers(gateway)
    seed_demo(
        m,
        players_per_coach=PLAYERS_PER_COACH,
        swings_per_player=SWINGS_PER_PLAYER,
        render=True,
        echo=lambda *a, **k: None,
    )
    return m


def demo_login(page, live_url: str, username: str) -> None:
    from analysis.demo import DEMO_PASSWORD

    log_in_page(page, live_url, username, DEMO_PASSWORD)


def watch_errors(page) -> list[str]:
    """Console errors, uncaught exceptions and failed requests (the favicon included)."""
    errors: list[str] = []

    def on_console(msg) -> None:
        if msg.type == "error":
            errors.append(f"console: {msg.text} at {msg.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and errors.append(f"HTTP {r.status} {r.url}"),
    )
    return errors


def wait_replay(page, selector: str = "[data-replay][data-role=a]") -> None:
    expect(page.locator(selector)).to_have_attribute("data-ready", "true", timeout=15000)


def wait_charts(page) -> None:
    expect(page.locator("#progress-body")).to_have_attribute("data-drawn", _any(), timeout=15000)


def _any():
    import re

    return re.compile(r".+")


def frame_of(page, selector: str = "[data-replay][data-role=a]") -> int:
    return int(page.locator(selector).get_attribute("data-frame"))


def assert_no_overflow(page) -> None:
    """Nothing sticks out sideways: the page is no wider than the window."""
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url}: page is {width}px wide in a {inner}px window"
    # Nor is anything clipped inside a scrolling box (a table cut off at the card's edge).
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap, .table-scroll, .card')]
            .filter((el) => el.scrollWidth > el.clientWidth + 1)
            .map((el) => `${el.id || el.className}: ${el.scrollWidth} > ${el.clientWidth}`)"""
    )
    assert not clipped, f"{page.url}: {clipped}"
