"""Drawing tools on the replay (issue #21) in headless Chromium: a line is fixed on the picture by
default and stays put as the swing plays, one drawn with "snap to joints" follows the body; the
arrow, box and shaft-plane tools draw (checked on the overlay's pixels); undo and redo
(Ctrl+Z / Ctrl+Shift+Z) restore each step: add, move, edit and delete, on the page and on the
server."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot, unique
from tests.dashboard.helpers import account

from .coded_swing import make_coded_swing
from .dashboard_support import wait_replay, watch_errors

pytestmark = pytest.mark.browser

YELLOW = (255, 212, 0)  # the default colour, #ffd400
CYAN = (0, 229, 255)


@pytest.fixture(scope="module")
def team(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Line Coach")
    player = account(m, "player", coach=coach, name="Line Player")
    return m, coach, player


@pytest.fixture
def swing(team, page, live_url, browser_login):
    """A swing of its own per test, open on the coach's page at the top."""
    m, coach, player = team
    video, _ = make_coded_swing(m, player, video_id=unique("draw-"), seed=21)
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    expect(page.locator("[data-replay]")).to_have_attribute("data-coach-tools", "ready")
    go(page, "top")
    return m, coach, player, video


def go(page, phase: str) -> int:
    frame = int(page.locator(f"[data-phase={phase}]").get_attribute("data-frame"))
    page.click(f"[data-phase={phase}]")
    expect(page.locator("[data-replay]")).to_have_attribute("data-frame", str(frame))
    page.wait_for_function("() => !window.__svPlayer.video.seeking")
    return frame


def on_screen(page, nx: float, ny: float) -> tuple[float, float]:
    """Page (CSS) pixels of a point of the picture (0..1 of the frame)."""
    return tuple(
        page.evaluate(
            """([nx, ny]) => {
                const p = window.__svPlayer;
                const [x, y] = p.toCanvas(nx, ny);
                const box = p.overlay.getBoundingClientRect();
                const k = box.width / p.overlay.width;
                return [box.left + x * k, box.top + y * k];
            }""",
            [nx, ny],
        )
    )


def joint(page, name: str) -> tuple[float, float]:
    return tuple(
        page.evaluate(
            "(n) => { const p = window.__svPlayer; return p.data.named(p.frame, n).slice(0, 2); }",
            name,
        )
    )


def pixel(page, nx: float, ny: float) -> list[int]:
    return page.evaluate(
        """([nx, ny]) => {
            const p = window.__svPlayer;
            const [x, y] = p.toCanvas(nx, ny);
            return [...p.ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data];
        }""",
        [nx, ny],
    )


def near(px, colour, tolerance: int = 45) -> bool:
    return all(abs(c - w) <= tolerance for c, w in zip(px[:3], colour, strict=True))


def drawn(page) -> dict[str, dict]:
    return {d["id"]: d for d in page.evaluate("() => window.__svCoach.drawn")}


def pick(page, tool: str) -> None:
    page.click(f"[data-tool={tool}]")
    expect(page.locator(f"[data-tool={tool}]")).to_have_attribute("aria-pressed", "true")


def put_down(page) -> None:
    page.keyboard.press("Escape")
    expect(page.locator("[data-replay]")).to_have_attribute("data-draw-tool", "")


def click_at(page, nx: float, ny: float) -> None:
    page.mouse.click(*on_screen(page, nx, ny))


def stored(m, coach, player, video) -> list[dict]:
    return m.coaching.annotations(coach, player.id, video.id)


def test_a_line_is_fixed_by_default_and_a_snapped_one_follows(page, swing):
    m, coach, player, video = swing
    errors = watch_errors(page)
    items = page.locator("[data-drawings] li")
    # Fixed: a spine line drawn at the top, by two clicks next to the joints.
    expect(page.locator("[data-snap]")).not_to_be_checked()
    pick(page, "line")
    a, b = (0.40, 0.35), (0.46, 0.62)
    click_at(page, *a)
    click_at(page, *b)
    expect(items).to_have_count(1)
    [fixed] = stored(m, coach, player, video)
    assert all("x" in p for p in fixed["points"]), fixed
    # Snapped: the same tool with the box ticked, near the trail shoulder and hip.
    page.check("[data-snap]")
    for name in ("right_shoulder", "right_hip"):
        x, y = joint(page, name)
        click_at(page, x + 0.004, y + 0.004)
    expect(items).to_have_count(2)
    put_down(page)
    snapped = next(a for a in stored(m, coach, player, video) if a["id"] != fixed["id"])
    assert snapped["points"] == [{"joint": "right_shoulder"}, {"joint": "right_hip"}]
    expect(page.locator(f"[data-annotation-id='{snapped['id']}']")).to_contain_text("follows")

    for phase in ("address", "impact", "finish"):
        go(page, phase)
        shown = drawn(page)
        # The fixed line is where it was put, on every frame...
        np.testing.assert_allclose(shown[fixed["id"]]["points"], [a, b], atol=1e-4)
        assert near(pixel(page, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2), YELLOW), phase
        # ...the snapped one is on this frame's joints.
        frame_joints = [joint(page, "right_shoulder"), joint(page, "right_hip")]
        np.testing.assert_allclose(shown[snapped["id"]]["points"], frame_joints, atol=1e-6)
    assert not errors, errors


def test_arrow_box_and_shaft_plane_draw(page, swing):
    m, coach, player, video = swing
    errors = watch_errors(page)
    items = page.locator("[data-drawings] li")
    page.select_option("[data-colour]", "#00e5ff")
    # Arrow: tail, then head; its barbs sit just behind the head.
    pick(page, "arrow")
    click_at(page, 0.15, 0.80)
    click_at(page, 0.35, 0.80)
    expect(items).to_have_count(1)
    # Box: two corners.
    pick(page, "box")
    click_at(page, 0.60, 0.20)
    click_at(page, 0.85, 0.45)
    expect(items).to_have_count(2)
    # Shaft plane: two points; the line runs on across the picture.
    pick(page, "plane")
    click_at(page, 0.50, 0.90)
    click_at(page, 0.60, 0.70)
    expect(items).to_have_count(3)
    put_down(page)
    kinds = {a["kind"]: a for a in stored(m, coach, player, video)}
    assert sorted(kinds) == ["arrow", "box", "plane"]
    for a in kinds.values():
        assert len(a["points"]) == 2 and a["colour"] == "#00e5ff"
    expect(page.locator("[data-drawings] li[data-kind=plane]")).to_contain_text("Shaft plane")

    px = lambda x, y: pixel(page, x, y)  # noqa: E731
    assert near(px(0.25, 0.80), CYAN)  # the arrow's shaft
    # A barb: behind the head, off the shaft (14 px back at about 28 degrees).
    barb = page.evaluate(
        """() => {
            const p = window.__svPlayer;
            const [hx, hy] = p.toCanvas(0.35, 0.80);
            const s = Math.max(1, p.scale);
            const x = hx - 10 * s * Math.cos(0.49), y = hy - 10 * s * Math.sin(0.49);
            return [...p.ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data];
        }"""
    )
    assert near(barb, CYAN), barb
    assert near(px(0.725, 0.20), CYAN) and near(px(0.85, 0.325), CYAN)  # two sides of the box
    assert not near(px(0.725, 0.325), CYAN)  # an outline: the middle is the picture
    # The plane through (0.5, 0.9) and (0.6, 0.7) continues up to y = 0.3, at x = 0.8, and down.
    assert near(px(0.80, 0.30), CYAN), px(0.80, 0.30)
    assert near(px(0.52, 0.86), CYAN)
    screenshot(page, "drawing-arrow-box-plane")
    assert not errors, errors


def test_undo_and_redo_restore_add_move_edit_and_delete(page, swing):
    m, coach, player, video = swing
    errors = watch_errors(page)
    items = page.locator("[data-drawings] li")
    panel = page.locator("section[data-coach-tools]")

    def undo():
        page.keyboard.press("Control+z")

    def redo():
        page.keyboard.press("Control+Shift+z")

    def settled(n_undo: int, n_redo: int):
        expect(panel).to_have_attribute("data-undo", str(n_undo))
        expect(panel).to_have_attribute("data-redo", str(n_redo))

    def points():
        [a] = stored(m, coach, player, video)
        return [(p["x"], p["y"]) for p in a["points"]]

    # Add.
    pick(page, "line")
    click_at(page, 0.20, 0.30)
    click_at(page, 0.40, 0.30)
    expect(items).to_have_count(1)
    put_down(page)
    settled(1, 0)
    page.click("h1")  # the focus on the page, not in a field
    undo()
    expect(items).to_have_count(0)
    settled(0, 1)
    assert stored(m, coach, player, video) == []
    redo()
    expect(items).to_have_count(1)
    settled(1, 0)
    assert points() == [pytest.approx((0.2, 0.3), abs=0.01), pytest.approx((0.4, 0.3), abs=0.01)]

    # Move: drag the line down by a tenth of the picture.
    pick(page, "move")
    start = on_screen(page, 0.30, 0.30)
    end = on_screen(page, 0.30, 0.40)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=5)
    page.mouse.up()
    settled(2, 0)
    put_down(page)
    moved = points()
    assert moved == [pytest.approx((0.2, 0.4), abs=0.01), pytest.approx((0.4, 0.4), abs=0.01)]
    assert near(pixel(page, 0.30, 0.40), YELLOW)
    undo()
    settled(1, 1)
    assert points() == [pytest.approx((0.2, 0.3), abs=0.01), pytest.approx((0.4, 0.3), abs=0.01)]
    assert near(pixel(page, 0.30, 0.30), YELLOW) and not near(pixel(page, 0.30, 0.40), YELLOW)
    redo()
    settled(2, 0)
    assert points() == moved

    # Edit: the colour, through the list's form.
    item = items.first
    item.locator("[data-act=edit]").click()
    item.locator(".edit-form select").select_option("#00e5ff")
    item.locator(".edit-form button[type=submit]").click()
    settled(3, 0)
    assert stored(m, coach, player, video)[0]["colour"] == "#00e5ff"
    page.click("h1")
    undo()
    settled(2, 1)
    assert stored(m, coach, player, video)[0]["colour"] == "#ffd400"
    assert near(pixel(page, 0.30, 0.40), YELLOW)
    redo()
    settled(3, 0)
    assert stored(m, coach, player, video)[0]["colour"] == "#00e5ff"

    # Delete, and back.
    before = stored(m, coach, player, video)[0]
    items.first.locator("[data-act=delete]").click()
    expect(items).to_have_count(0)
    settled(4, 0)
    undo()
    expect(items).to_have_count(1)
    settled(3, 1)
    [back] = stored(m, coach, player, video)
    assert {k: back[k] for k in ("kind", "frame", "points", "text", "colour")} == {
        k: before[k] for k in ("kind", "frame", "points", "text", "colour")
    }
    assert near(pixel(page, 0.30, 0.40), CYAN)
    # The steps before the delete still reach the drawing under its new id.
    undo()
    settled(2, 2)
    assert stored(m, coach, player, video)[0]["colour"] == "#ffd400"
    redo()
    redo()
    settled(4, 0)
    expect(items).to_have_count(0)
    assert stored(m, coach, player, video) == []
    # The buttons do the same.
    page.click("[data-act=undo]")
    expect(items).to_have_count(1)
    # In a text field Ctrl+Z is the field's own.
    page.fill("[data-text-input]", "abc")
    page.focus("[data-text-input]")
    undo()
    settled(3, 1)
    expect(items).to_have_count(1)
    assert not errors, errors


def test_a_drawing_can_be_switched_to_follow_the_body(page, swing):
    m, coach, player, video = swing
    pick(page, "line")
    for name in ("left_shoulder", "left_elbow"):
        x, y = joint(page, name)
        click_at(page, x + 0.002, y)
    put_down(page)
    item = page.locator("[data-drawings] li").first
    expect(item).not_to_contain_text("follows")
    item.locator("[data-act=edit]").click()
    item.locator("[data-follow]").check()
    item.locator(".edit-form button[type=submit]").click()
    expect(page.locator("[data-drawings] li").first).to_contain_text("follows left shoulder")
    [a] = stored(m, coach, player, video)
    assert a["points"] == [{"joint": "left_shoulder"}, {"joint": "left_elbow"}]
    go(page, "impact")
    np.testing.assert_allclose(
        next(iter(drawn(page).values()))["points"],
        [joint(page, "left_shoulder"), joint(page, "left_elbow")],
        atol=1e-6,
    )
