"""A demo coach's round trip in headless Chromium: roster search, sort and paging, a player, a swing
played, stepped and jumped to the top, compared side by side and as a ghost, and progress charts
redrawn for another range without a page reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot

from .dashboard_support import (
    COACH_ID,
    demo_login,
    seed,
    wait_charts,
    wait_replay,
    watch_errors,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(gateway):
    return seed(gateway)


def roster_names(page) -> list[str]:
    return page.locator("table.roster tbody a.player-link").all_inner_texts()


def roster_scores(page) -> list[float]:
    out = []
    for row in page.locator("table.roster tbody tr").all():
        badge = row.locator(".score-badge")
        out.append(float(badge.inner_text()) if badge.count() else float("nan"))
    return out


def test_roster_search_sort_and_paging(page, live_url, demo):
    errors = watch_errors(page)
    coach = demo.users.get(COACH_ID)
    demo_login(page, live_url, coach.username)
    assert page.url.endswith("/roster/")
    total = len(demo.users.players_of(coach, coach.id))
    expect(page.locator("table.roster tbody tr")).to_have_count(min(total, 25))
    assert roster_names(page) == sorted(roster_names(page), key=str.lower)
    # A marker on this document: a full page load (a plain link followed) would drop it.
    page.evaluate("() => { window.__sameDocument = true; }")
    # Live search (htmx, no reload) that also works as a plain GET.
    page.fill("#roster-q", "chloe")
    expect(page.locator("table.roster tbody tr")).to_have_count(1)
    assert roster_names(page) == ["Chloe Nakamura"]
    assert "q=chloe" in page.url
    page.fill("#roster-q", "")
    expect(page.locator("table.roster tbody tr")).to_have_count(min(total, 25))
    # Sort by the latest score: the header link flips to best first.
    page.click("table.roster th a:text('Latest score')")
    expect(page).to_have_url(re.compile(r"sort=score&order=desc"))
    expect(page.locator("th[aria-sort=descending]")).to_have_text(re.compile("Latest score"))
    scores = [s for s in roster_scores(page) if s == s]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 2
    page.click("table.roster th a:text('Latest score')")
    expect(page).to_have_url(re.compile(r"sort=score&order=asc"))
    scores = [s for s in roster_scores(page) if s == s]
    assert scores == sorted(scores)
    assert page.evaluate("() => window.__sameDocument === true")  # sorted without a reload
    # A search typed after the sort keeps the sort (the form's hidden fields follow).
    page.fill("#roster-q", "a")
    expect(page).to_have_url(re.compile(r"q=a"))
    assert "sort=score" in page.url
    assert page.evaluate("() => window.__sameDocument === true")
    # Paging, five a page (no control sets the page size: the URL does, then the pager's links).
    page.goto(f"{live_url}/roster/?per=5")
    expect(page.locator("table.roster tbody tr")).to_have_count(5)
    first_page = roster_names(page)
    pages = -(-total // 5)
    expect(page.locator(".pager")).to_contain_text(f"page 1 of {pages}")
    page.evaluate("() => { window.__sameDocument = true; }")
    page.click(".pager a[rel=next]")
    expect(page.locator(".pager")).to_contain_text(f"page 2 of {pages}")
    assert "page=2" in page.url and "per=5" in page.url
    assert not set(roster_names(page)) & set(first_page)
    assert page.evaluate("() => window.__sameDocument === true")  # paged without a reload
    screenshot(page, "dashboard-roster-paged")
    page.click(".pager a[rel=prev]")
    expect(page.locator(".pager")).to_contain_text(f"page 1 of {pages}")
    assert roster_names(page) == first_page
    assert page.evaluate("() => window.__sameDocument === true")
    page.click(".pager a[rel=next]")
    expect(page.locator(".pager")).to_contain_text(f"page 2 of {pages}")
    page.go_back()
    expect(page.locator(".pager")).to_contain_text(f"page 1 of {pages}")
    assert not errors, errors


# Each joint of the frame on screen whose dot is on top at its centre (the dots are drawn in joint
# order: no later one near it), with its confidence and the overlay's pixel there, in one task.
TOP_DOTS = """() => {
    const p = window.__svPlayer;
    const r = p.contentRect();
    const clear = Math.max(2.5, 3.6 * p.scale) + 2;  // a dot's radius and its outline
    const all = [];
    for (let j = 0; j < p.data.nJoints; j++) {
        const q = p.data.joint(p.frame, j);
        if (q) all.push({j, x: r.x + q[0] * r.w, y: r.y + q[1] * r.h, conf: q[2]});
    }
    return all
        .filter((a) => all.every((b) => b.j <= a.j || Math.hypot(a.x - b.x, a.y - b.y) > clear))
        .map((a) => ({
            frame: p.frame,
            name: p.data.joints[a.j],
            conf: a.conf,
            rgba: [...p.ctx.getImageData(Math.floor(a.x), Math.floor(a.y), 1, 1).data],
        }));
}"""


def test_replay_colours_joints_by_confidence(page, live_url, demo):
    """Joints are drawn red (low confidence) to green (high): on a down-the-line swing, whose lead
    side the body half hides, a half-hidden joint and a clearly seen one differ in colour on the
    canvas, and the less sure the redder."""
    errors = watch_errors(page)
    coach = demo.users.get(COACH_ID)
    demo_login(page, live_url, coach.username)
    page.goto(f"{live_url}/players/demo-player-isla-patel/")
    expect(page.locator("h1")).to_have_text("Isla Patel")
    page.locator("#swing-list tbody tr").first.locator("a:text('Replay')").click()
    wait_replay(page)
    stage = page.locator("[data-replay][data-role=a]")
    joints = []
    for phase in ("address", "top", "impact", "finish"):
        frame = page.locator(f"[data-phase={phase}]").get_attribute("data-frame")
        page.click(f"[data-phase={phase}]")
        expect(stage).to_have_attribute("data-frame", frame)
        joints += page.evaluate(TOP_DOTS)
    low = min(joints, key=lambda j: j["conf"])
    high = max(joints, key=lambda j: j["conf"])
    assert low["conf"] < 0.62 and high["conf"] > 0.85, joints  # the swing shows both kinds
    assert low["rgba"][3] == high["rgba"][3] == 255, (low, high)  # both dots drawn, opaque
    # Not one colour: the half-hidden joint is redder, the clearly seen one green.
    assert low["rgba"][0] - high["rgba"][0] > 50, (low, high)
    assert high["rgba"][1] > high["rgba"][0] + 100, high
    # Red falls as confidence rises, joint by joint.
    reds = [j["rgba"][0] for j in sorted(joints, key=lambda j: j["conf"])]
    assert all(a >= b - 3 for a, b in zip(reds, reds[1:], strict=False)), joints
    assert not errors, errors


def test_player_swing_replay_compare_and_progress(page, live_url, demo):
    errors = watch_errors(page)
    coach = demo.users.get(COACH_ID)
    demo_login(page, live_url, coach.username)
    page.click("a.player-link:text('Ava Lindqvist')")
    expect(page.locator("h1")).to_have_text("Ava Lindqvist")
    rows = page.locator("#swing-list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator(".metric-tiles .tile").first).to_contain_text("Overall score")
    screenshot(page, "dashboard-player")

    # Open the newest swing and play it.
    rows.first.locator("a:text('Replay')").click()
    wait_replay(page)
    stage = page.locator("[data-replay][data-role=a]")
    expect(stage.locator("video[data-video]")).to_have_count(1)
    page.click("[data-speed='0.5']")
    page.click("[data-act=play]")
    expect(page.locator("[data-act=play]")).to_have_text("Pause")
    expect(stage).not_to_have_attribute("data-frame", "0")
    page.click("[data-act=play]")
    expect(page.locator("[data-act=play]")).to_have_text("Play")
    # Jump to the top, then step one frame each way with the keys and the buttons.
    top = int(page.locator("[data-phase=top]").get_attribute("data-frame"))
    page.click("[data-phase=top]")
    expect(stage).to_have_attribute("data-frame", str(top))
    expect(page.locator("[data-phase=top]")).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press(".")
    expect(stage).to_have_attribute("data-frame", str(top + 1))
    page.keyboard.press(",")
    page.keyboard.press(",")
    expect(stage).to_have_attribute("data-frame", str(top - 1))
    page.click("[data-act=forward]")
    expect(stage).to_have_attribute("data-frame", str(top))
    expect(page.locator("[data-frame-label]")).to_contain_text(f"frame {top} /")
    # ?frame=N opens the video at that frame (similarity search links there).
    swing_url = page.url
    page.goto(f"{swing_url}?frame={top - 5}")
    wait_replay(page)
    expect(stage).to_have_attribute("data-frame", str(top - 5))
    page.goto(swing_url)
    wait_replay(page)
    page.click("[data-phase=top]")
    expect(stage).to_have_attribute("data-frame", str(top))
    # Joint angles on demand, for the frame on screen.
    page.click("[data-act=angles]")
    expect(page.locator("[data-angles-frame]")).to_have_text(str(top))
    expect(page.locator("[data-angles-body] tr")).to_have_count(9)
    expect(page.locator("[data-angles-body]")).to_contain_text("Lead elbow")
    assert page.evaluate("() => window.__svPlayer.data.has(window.__svPlayer.frame)")
    screenshot(page, "dashboard-replay")

    # Compare with another swing of the same player, side by side and synced by phase.
    page.click("#compare-link")
    expect(page.locator("#compare-picker")).to_be_visible()
    page.locator(".swing-picks a").first.click()
    expect(page.locator("[data-compare]")).to_have_attribute("data-ready", "true", timeout=15000)
    page.click("[data-phase=top]")
    a_top = int(page.locator("[data-phase=top]").get_attribute("data-frame"))
    expect(page.locator("[data-replay][data-role=a]")).to_have_attribute("data-frame", str(a_top))
    b_top = page.evaluate("() => window.__svCompare.b.data.events.top")
    b = page.locator("[data-replay][data-role=b]")
    expect(b).to_have_attribute("data-frame", str(b_top))  # the same event, the same moment
    page.click("[data-phase=impact]")
    b_impact = page.evaluate("() => window.__svCompare.b.data.events.impact")
    expect(b).to_have_attribute("data-frame", str(b_impact))
    expect(page.locator("table.diffs tbody tr").first).to_contain_text("Overall score")
    page.click("[data-phase=top]")
    expect(b).to_have_attribute("data-frame", str(b_top))
    screenshot(page, "dashboard-compare-side")
    # Both play together.
    page.click("[data-act=play]")
    expect(b).not_to_have_attribute("data-frame", str(b_top))
    page.click("[data-act=play]")
    # The ghost overlay: the second skeleton drawn over the first, at its warped frame.
    page.click(".segmented a:text('Ghost overlay')")
    expect(page.locator("[data-compare]")).to_have_attribute("data-ready", "true", timeout=15000)
    page.click("[data-phase=top]")
    g_top = page.evaluate("() => window.__svCompare.ghost.events.top")
    page.wait_for_function("(f) => window.__svCompare.state.frame === f", arg=g_top)
    screenshot(page, "dashboard-compare-ghost")

    # Progress: charts, then another range without reloading the page.
    page.goto(f"{live_url}/players/demo-player-ava-lindqvist/progress/")
    wait_charts(page)
    expect(page.locator("[data-chart=overall_score] .main-svg").first).to_be_visible()
    page.evaluate("() => { window.__sameDocument = true; }")
    drawn = page.locator("#progress-body").get_attribute("data-drawn")
    assert drawn.startswith("90:")
    page.click("[data-range='30']")
    expect(page.locator("#progress-body")).to_have_attribute("data-drawn", re.compile("^30:"))
    assert "range=30" in page.url
    assert page.evaluate("() => window.__sameDocument === true")  # no reload
    page.click("[data-range='365']")
    expect(page.locator("#progress-body")).to_have_attribute("data-drawn", re.compile("^365:"))
    points = page.locator("[data-chart=overall_score] .scatterlayer .trace:nth-child(2) path.point")
    expect(points).to_have_count(3)
    page.fill("#range-start", "2020-01-01")
    page.click(".custom-range button[type=submit]")
    expect(page.locator("#progress-body")).to_have_attribute(
        "data-drawn", re.compile("^custom:2020-01-01:")
    )
    assert page.evaluate("() => window.__sameDocument === true")
    screenshot(page, "dashboard-progress")
    # A swing's point opens that swing.
    page.click("[data-range='365']")
    expect(page.locator("#progress-body")).to_have_attribute("data-drawn", re.compile("^365:"))
    point = page.locator("[data-chart=overall_score] .scatterlayer .trace:nth-child(2) path.point")
    box = point.last.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # hover details first (date, value, score), then the click
    expect(page.locator("[data-chart=overall_score] .hoverlayer .hovertext")).to_contain_text(
        re.compile("click to open (this|the day's last) swing")
    )
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"/players/demo-player-ava-lindqvist/swings/demo-"))
    wait_replay(page)
    assert not errors, errors
