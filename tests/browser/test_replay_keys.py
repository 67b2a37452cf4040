"""The replay's keys, loop, slow speeds, zoom and mirror in headless Chromium (issue #21).

Keys work wherever the focus is (the page, a phase button just clicked, the slider) except in a
text field, where they type. Zoom and mirror move the video by a CSS transform and the skeleton
and the drawings through the same view: the pixel check reads the overlay where the browser puts
each joint of the transformed video, and finds that joint's dot there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot, unique
from tests.dashboard.helpers import account

from .coded_swing import make_coded_swing
from .dashboard_support import wait_replay, watch_errors

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(gateway):
    from swingvision.db.managers import managers

    m = managers(gateway)
    coach = account(m, "coach", name="Keys Coach")
    player = account(m, "player", coach=coach, name="Keys Player")
    video, swing = make_coded_swing(m, player, video_id=unique("keys-"), seed=5)
    return m, coach, player, video, swing


def open_swing(page, live_url, browser_login, world):
    m, coach, player, video, _ = world
    browser_login(page, coach)
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    expect(page.locator("[data-replay]")).to_have_attribute("data-coach-tools", "ready")
    return page.locator("[data-replay][data-role=a]")


def frame(stage) -> int:
    return int(stage.get_attribute("data-frame"))


def phase_frames(page) -> list[int | None]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.phases > li')].map((li) => {
            const b = li.querySelector('button[data-phase]');
            return b ? Number(b.dataset.frame) : null;
        })"""
    )


def playing(page) -> bool:
    return page.evaluate("() => window.__svPlayer.playing")


@pytest.mark.parametrize("focus", ["page", "phase button", "slider"])
def test_keys_step_jump_and_play_wherever_the_focus_is(page, live_url, browser_login, world, focus):
    errors = watch_errors(page)
    stage = open_swing(page, live_url, browser_login, world)
    phases = phase_frames(page)
    assert len(phases) == 8 and all(f is not None for f in phases), phases
    if focus == "phase button":
        page.click("[data-phase=address]")  # the button keeps the focus
        expect(page.locator("[data-phase=address]")).to_be_focused()
    elif focus == "slider":
        page.focus("[data-scrub]")
    else:
        page.click("h1")
    page.keyboard.press("4")
    expect(stage).to_have_attribute("data-frame", str(phases[3]))
    start = phases[3]
    page.keyboard.press("ArrowRight")
    expect(stage).to_have_attribute("data-frame", str(start + 1))
    page.keyboard.press("Shift+ArrowRight")
    expect(stage).to_have_attribute("data-frame", str(start + 11))
    page.keyboard.press("ArrowLeft")
    expect(stage).to_have_attribute("data-frame", str(start + 10))
    page.keyboard.press("Shift+ArrowLeft")
    expect(stage).to_have_attribute("data-frame", str(start))
    for i, f in enumerate(phases, start=1):
        page.keyboard.press(str(i))
        expect(stage).to_have_attribute("data-frame", str(f))
    page.keyboard.press("1")
    expect(stage).to_have_attribute("data-frame", str(phases[0]))
    # Space plays (not a click on the focused button), space again pauses.
    page.keyboard.press(" ")
    page.wait_for_function(
        "(f) => window.__svPlayer.playing && window.__svPlayer.frame > f + 3", arg=phases[0]
    )
    page.keyboard.press(" ")
    page.wait_for_function("() => !window.__svPlayer.playing")
    held = frame(stage)
    page.wait_for_timeout(200)
    assert frame(stage) == held
    if focus == "phase button":
        expect(page.locator("[data-phase=address]")).to_be_focused()
    assert not errors, errors


def test_keys_type_in_a_text_field_and_leave_the_replay_alone(page, live_url, browser_login, world):
    stage = open_swing(page, live_url, browser_login, world)
    page.keyboard.press("3")
    # The seek lands a moment later: wait for it before taking the frame the field must keep.
    third = page.locator(".phases > li").nth(2).locator("button").get_attribute("data-frame")
    expect(stage).to_have_attribute("data-frame", third)
    at = frame(stage)
    page.click("#note-text")
    page.keyboard.type("4 L[] +-m ")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+ArrowRight")
    page.wait_for_timeout(300)
    assert page.input_value("#note-text") == "4 L[] +-m "
    assert frame(stage) == at and not playing(page)
    assert stage.get_attribute("data-rate") == "1"
    assert stage.get_attribute("data-zoom") == "1.00"
    assert stage.get_attribute("data-mirror") == "false"
    assert stage.get_attribute("data-loop") is None
    # The same keys once the focus has left the field.
    page.click("h1")
    page.keyboard.press("ArrowRight")
    expect(stage).to_have_attribute("data-frame", str(at + 1))


def test_key_help_opens_on_question_mark(page, live_url, browser_login, world):
    open_swing(page, live_url, browser_login, world)
    help_box = page.locator("[data-key-help]")
    expect(help_box).to_be_hidden()
    page.keyboard.press("?")
    expect(help_box).to_be_visible()
    for text in (
        "one frame",
        "ten frames",
        "play / pause",
        "phase",
        "loop",
        "slower",
        "zoom",
        "mirror",
    ):
        expect(help_box).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()
    page.click("[data-act=keys]")
    expect(help_box).to_be_visible()
    page.keyboard.press("?")
    expect(help_box).to_be_hidden()


def test_loop_between_two_marks_and_an_eighth_speed(page, live_url, browser_login, world):
    errors = watch_errors(page)
    stage = open_swing(page, live_url, browser_login, world)
    phases = phase_frames(page)
    a, b = phases[2], phases[2] + 8
    page.keyboard.press("3")
    expect(stage).to_have_attribute("data-frame", str(a))
    page.keyboard.press("l")
    expect(stage).to_have_attribute("data-loop-state", "start")
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    expect(stage).to_have_attribute("data-frame", str(b))
    page.keyboard.press("l")
    expect(stage).to_have_attribute("data-loop", f"{a}-{b}")
    expect(page.locator("[data-loop-band]")).to_be_visible()
    page.keyboard.press(" ")
    seen: list[int] = []
    for _ in range(400):
        seen.append(page.evaluate("() => window.__svPlayer.frame"))
        if b in seen and a in seen[seen.index(b) :]:  # reached the end, then back at the start
            break
        page.wait_for_timeout(15)
    page.keyboard.press(" ")
    # Round and round between the marks: never past the end, back at the start after it.
    assert b in seen and a in seen[seen.index(b) :], seen
    assert all(a <= f <= b for f in seen), seen
    assert seen.index(b) < len(seen) - 1 - seen[::-1].index(a), seen
    page.keyboard.press("l")  # a third L: no loop
    expect(stage).to_have_attribute("data-loop-state", "off")
    assert stage.get_attribute("data-loop") is None

    # [ three times from 1×: ⅛×, the slowest; the video plays at it, and a step further is ⅛× still.
    for _ in range(4):
        page.keyboard.press("[")
    expect(stage).to_have_attribute("data-rate", "0.125")
    expect(page.locator("[data-speed='0.125']")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("1")
    page.keyboard.press(" ")
    page.wait_for_timeout(1000)
    page.keyboard.press(" ")
    page.wait_for_function("() => !window.__svPlayer.playing")
    assert page.evaluate("() => window.__svPlayer.video.playbackRate") == 0.125
    # At 30 fps an eighth is under 4 frames a second (a 1× second would be 30).
    moved = frame(stage) - phases[0]
    assert 1 <= moved <= 8, moved
    page.keyboard.press("]")
    expect(stage).to_have_attribute("data-rate", "0.25")
    assert not errors, errors


# Each joint whose dot is on top (no later dot near it), where the browser shows that joint of the
# video: the video element's own CSS transform applied to the joint's place in the untransformed
# element, then into overlay canvas pixels; and the overlay's pixel there.
JOINTS_ON_VIDEO = """() => {
    const p = window.__svPlayer;
    const v = p.video;
    const m = new DOMMatrix(getComputedStyle(v).transform === 'none' ? undefined : getComputedStyle(v).transform);
    const stageBox = p.stage.getBoundingClientRect();
    const w = v.offsetWidth, h = v.offsetHeight;
    const ob = p.overlay.getBoundingClientRect();
    const k = p.overlay.width / ob.width;
    const r = p.contentRect();
    const clear = Math.max(2.5, 3.6 * p.scale) + 2;  // a dot's radius and its outline
    const all = [];
    for (let j = 0; j < p.data.nJoints; j++) {
        const q = p.data.joint(p.frame, j);
        if (q) all.push({j, x: q[0], y: q[1]});
    }
    const out = [];
    for (const a of all) {
        if (!all.every((b) => b.j <= a.j || Math.hypot((a.x - b.x) * r.w, (a.y - b.y) * r.h) > clear)) continue;
        const local = new DOMPoint((a.x - 0.5) * w, (a.y - 0.5) * h);
        const s = m.transformPoint(local);
        const px = stageBox.left + stageBox.width / 2 + s.x;
        const py = stageBox.top + stageBox.height / 2 + s.y;
        const cx = (px - ob.left) * k, cy = (py - ob.top) * k;
        if (cx < 0 || cy < 0 || cx >= p.overlay.width || cy >= p.overlay.height) continue;
        out.push({name: p.data.joints[a.j], rgba: [...p.ctx.getImageData(Math.floor(cx), Math.floor(cy), 1, 1).data]});
    }
    return out;
}"""


def dots(page) -> dict[str, list[int]]:
    return {d["name"]: d["rgba"] for d in page.evaluate(JOINTS_ON_VIDEO)}


def test_zoom_pan_and_mirror_keep_the_skeleton_and_drawings_on_the_picture(
    page, live_url, browser_login, world
):
    errors = watch_errors(page)
    m, coach, player, video, _ = world
    stage = open_swing(page, live_url, browser_login, world)
    page.keyboard.press("5")  # mid downswing
    page.wait_for_function("() => !window.__svPlayer.video.seeking")
    before = dots(page)
    assert len(before) >= 8, before
    assert all(c[3] == 255 for c in before.values()), before

    def same_dots():
        after = dots(page)
        common = set(before) & set(after)
        assert len(common) >= 5, (before, after)
        for name in common:
            assert all(abs(x - y) <= 24 for x, y in zip(before[name], after[name], strict=True)), (
                name,
                before[name],
                after[name],
            )

    # Zoom with + twice, about the centre.
    page.keyboard.press("+")
    page.keyboard.press("+")
    expect(stage).to_have_attribute("data-zoom", "1.56")
    assert page.evaluate("() => getComputedStyle(window.__svPlayer.video).transform") != "none"
    same_dots()
    # Drag to pan.
    box = page.locator("[data-stage]").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 40, cy + 25, steps=4)
    page.mouse.up()
    pan = page.evaluate("() => window.__svPlayer.view")
    assert pan["tx"] > 0 and pan["ty"] > 0, pan
    same_dots()
    # Mirror.
    page.keyboard.press("m")
    expect(stage).to_have_attribute("data-mirror", "true")
    same_dots()
    # The wheel zooms too, about the pointer.
    page.mouse.move(cx - 30, cy - 20)
    page.mouse.wheel(0, -200)
    page.wait_for_function("() => window.__svPlayer.view.zoom > 1.6")
    same_dots()
    screenshot(page, "replay-zoom-mirror")

    # A fixed drawing follows the view: its middle is where the view puts it.
    page.evaluate(
        """() => window.__svCoach.annotations.push({id: 'probe', kind: 'line', frame: null,
            colour: '#ffd400', text: '', points: [{x: 0.2, y: 0.5}, {x: 0.8, y: 0.5}]})"""
    )
    page.evaluate("() => window.__svPlayer.draw(window.__svPlayer.frame)")
    pixel = page.evaluate(
        """() => {
            const p = window.__svPlayer;
            const [x, y] = p.toCanvas(0.5 + 0.02, 0.5);
            return [...p.ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data];
        }"""
    )
    assert pixel[0] > 200 and pixel[1] > 170 and pixel[2] < 90, pixel
    # 0 gives the whole picture back.
    page.keyboard.press("0")
    expect(stage).to_have_attribute("data-zoom", "1.00")
    expect(stage).to_have_attribute("data-mirror", "false")
    assert page.evaluate("() => getComputedStyle(window.__svPlayer.video).transform") == "none"
    assert not errors, errors
