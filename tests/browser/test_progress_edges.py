"""Progress charts leave room for their last points (issue #21): the newest swing's marker and the
last daily mean are drawn whole inside each chart's plot area, not cut at its right or top edge."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot
from tests.dashboard.helpers import account, add_swing

from .dashboard_support import wait_charts, watch_errors

pytestmark = pytest.mark.browser

# For each chart: the plot area's size and, for each trace, its last point in plot pixels.
LAST_POINTS = """() => [...document.querySelectorAll('[data-chart]')].map((el) => {
    const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
    const last = el.data.filter((t) => t.mode !== 'lines').map((t) => {
        const i = t.x.length - 1;
        return {name: t.name, x: xa.c2p(xa.d2c(t.x[i])), y: ya.c2p(ya.d2c(t.y[i])),
                r: (t.marker && t.marker.size || 0) / 2};
    });
    return {chart: el.dataset.chart, width: xa._length, height: ya._length, last};
})"""


def test_the_newest_points_are_not_cut_at_the_edge(page, live_url, browser_login, gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Edge Coach")
    player = account(m, "player", coach=coach, name="Edge Player")
    for days, seed in ((20, 81), (9, 82), (0.001, 83)):
        add_swing(m, player, days_ago=days, seed=seed)
    m.progress.recompute_player(player.id)
    errors = watch_errors(page)
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/progress/")
    wait_charts(page)
    charts = page.evaluate(LAST_POINTS)
    assert len(charts) >= 5, charts
    for c in charts:
        for p in c["last"]:
            room = 4  # pixels between a marker's edge and the plot's edge
            assert p["x"] + p["r"] + room <= c["width"], (c["chart"], p, c["width"])
            assert p["y"] - p["r"] - room >= 0 or p["y"] is None, (c["chart"], p)
    screenshot(page, "progress-edges")
    assert not errors, errors


def _two_views_two_clubs(gateway, name: str, *, seed: int):
    """A coach and a player with two face-on swings (driver, 7 iron) and a down-the-line one."""
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name=f"{name} Coach")
    player = account(m, "player", coach=coach, name=f"{name} Player")
    for i, (days, view, club) in enumerate(
        ((9, "face-on", "driver"), (5, "face-on", "7 iron"), (2, "down-the-line", "driver"))
    ):
        add_swing(m, player, days_ago=days, seed=seed + i, view=view, club=club)
    m.progress.recompute_player(player.id)
    return coach, player


# When the camera-view switch swaps the progress body in, pick a club on the new select at once:
# in the microtask after the swap, before any timer could run. htmx wires a swapped-in control
# when its content settles; with a settle delay (htmx's default is 20 ms) this change would go
# nowhere and the page would silently keep every club.
CHANGE_CLUB_ON_SWAP = """(club) => {
    const body = document.getElementById('progress-body');
    new MutationObserver((records, observer) => {
        const select = document.getElementById('club-select');
        if (!select || select.closest('#progress-body') === body) return;
        observer.disconnect();
        select.value = club;
        select.dispatchEvent(new Event('change', {bubbles: true}));
    }).observe(body.parentNode, {childList: true});
}"""


def test_a_control_swapped_in_works_at_once(page, live_url, browser_login, gateway):
    from playwright.sync_api import expect

    coach, player = _two_views_two_clubs(gateway, "Quick", seed=91)
    errors = watch_errors(page)
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/progress/?view=down-the-line")
    expect(page.locator("#range-note")).to_contain_text("down the line swing")
    page.evaluate(CHANGE_CLUB_ON_SWAP, "7 iron")
    page.locator("#view-switch a[data-view='face-on']").click()
    expect(page.locator("#range-note")).to_contain_text("1 analysed face-on swing with the 7 iron")
    assert not errors, errors


def test_back_after_switching_view_and_club_shows_the_whole_page(
    page, live_url, browser_login, gateway
):
    """htmx pushes each switch into the history; Back and Forward fetch those URLs again (no
    history cache) and must get the whole page, not the fragment the switch swapped in."""
    from playwright.sync_api import expect

    coach, player = _two_views_two_clubs(gateway, "Back", seed=94)
    errors = watch_errors(page)
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/progress/")
    heading = page.locator("main h1")
    expect(heading).to_have_count(1)
    title = heading.inner_text()
    page.select_option("#club-select", "7 iron")
    expect(page.locator("#range-note")).to_contain_text("with the 7 iron")
    page.locator("#view-switch a[data-view='down-the-line']").click()
    expect(page.locator("#range-note")).to_contain_text("down the line swing")
    for step, note in (
        (page.go_back, "with the 7 iron"),
        (page.go_back, "2 analysed face-on swings"),
    ):
        step()
        expect(page.locator("#range-note")).to_contain_text(note)
        expect(heading).to_have_text(title)
        expect(page.locator("header.topbar")).to_have_count(1)
        expect(page.locator("#progress-body")).to_have_count(1)
    page.go_forward()
    expect(page.locator("#range-note")).to_contain_text("with the 7 iron")
    expect(heading).to_have_text(title)
    assert not errors, errors
