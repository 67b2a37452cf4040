"""Coach tools in headless Chromium: an angle snapped to the lead arm at the top follows the arm as
the swing plays, survives a reload, and the player sees it without being able to change it; the
top marker dragged along the timeline recomputes tempo and shoulder turn on the page and in the
stored analysis, exactly as the engine does with that event; a note reaches the player."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.conftest import screenshot, unique
from tests.dashboard.helpers import account

from .coded_swing import make_coded_swing
from .dashboard_support import assert_no_overflow, wait_replay, watch_errors

pytestmark = pytest.mark.browser

ARM = ("left_shoulder", "left_elbow", "left_wrist")  # a right-hander's lead arm
YELLOW = (255, 212, 0)  # the drawing tool's default colour, #ffd400


@pytest.fixture(scope="module")
def world(gateway):
    from swingvision.coaching.library import seed_drills
    from swingvision.db.managers import managers

    m = managers(gateway)
    seed_drills(m)
    coach = account(m, "coach", name="Drawing Coach")
    player = account(m, "player", coach=coach, name="Drawn Player")
    video, swing = make_coded_swing(m, player, video_id=unique("coach-tools-"), seed=11)
    return m, coach, player, video, swing


def open_swing(page, live_url, player, video) -> None:
    page.goto(f"{live_url}/players/{player.id}/swings/{video.id}/")
    wait_replay(page)
    expect(page.locator("[data-replay]")).to_have_attribute("data-coach-tools", "ready")


def joint_on_screen(page, name: str) -> tuple[float, float]:
    """Where a joint of the frame on screen is, in page (CSS) pixels."""
    return tuple(
        page.evaluate(
            """(name) => {
                const p = window.__svPlayer;
                const j = p.data.named(p.frame, name);
                const r = p.contentRect();
                const box = p.overlay.getBoundingClientRect();
                const k = box.width / p.overlay.width;
                return [box.left + (r.x + j[0] * r.w) * k, box.top + (r.y + j[1] * r.h) * k];
            }""",
            name,
        )
    )


def drawn_state(page) -> dict:
    """In one task: the frame drawn, the drawing's points as drawn and the joints of that frame."""
    return page.evaluate(
        """(names) => {
            const p = window.__svPlayer;
            const d = window.__svCoach.drawn[0];
            if (!d) return null;
            return {
                frame: d.frame,
                points: d.points,
                degrees: d.degrees,
                joints: names.map((n) => p.data.named(d.frame, n).slice(0, 2)),
            };
        }""",
        list(ARM),
    )


def canvas_pixel_between(page, a: str, b: str) -> list[int]:
    """The overlay canvas's colour halfway along the segment between two joints."""
    return page.evaluate(
        """([a, b]) => {
            const p = window.__svPlayer;
            const r = p.contentRect();
            const pa = p.data.named(p.frame, a);
            const pb = p.data.named(p.frame, b);
            const x = Math.round(r.x + ((pa[0] + pb[0]) / 2) * r.w);
            const y = Math.round(r.y + ((pa[1] + pb[1]) / 2) * r.h);
            return [...p.ctx.getImageData(x, y, 1, 1).data];
        }""",
        [a, b],
    )


def angle(points) -> float:
    a, b, c = (np.asarray(p, dtype=float) for p in points)
    v1, v2 = a - b, c - b
    cos = np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2))
    return float(np.degrees(np.arccos(np.clip(cos, -1, 1))))


def to_pixels(points, width=480, height=360):
    return [(x * width, y * height) for x, y in points]


def test_a_snapped_angle_follows_the_lead_arm_and_the_player_only_sees_it(
    page, live_url, browser_login, world
):
    m, coach, player, video, _ = world
    errors = watch_errors(page)
    browser_login(page, coach)
    open_swing(page, live_url, player, video)
    stage = page.locator("[data-replay]")
    top = int(page.locator("[data-phase=top]").get_attribute("data-frame"))
    page.click("[data-phase=top]")
    expect(stage).to_have_attribute("data-frame", str(top))

    # Angle, snapped: shoulder, elbow (the vertex), wrist.
    page.click("[data-tool=angle]")
    expect(page.locator("[data-snap]")).not_to_be_checked()  # fixed drawings unless asked
    page.check("[data-snap]")
    page.locator("[data-stage]").scroll_into_view_if_needed()
    for name in ARM:
        x, y = joint_on_screen(page, name)
        page.mouse.click(x + 3, y - 2)  # near the joint, not on it: the snap finds it
    expect(page.locator("[data-drawings] li")).to_have_count(1)
    expect(page.locator(".coach-toast")).to_contain_text("Angle saved")
    [saved] = m.coaching.annotations(coach, player.id, video.id)
    assert saved["kind"] == "angle" and saved["frame"] is None
    assert saved["points"] == [{"joint": n} for n in ARM]

    # Drawn on the arm at the top, with its degrees in the list.
    state = drawn_state(page)
    assert state["frame"] == top
    np.testing.assert_allclose(state["points"], state["joints"], atol=1e-6)
    degrees = angle(to_pixels(state["joints"]))
    assert state["degrees"] == pytest.approx(degrees, abs=0.05)
    expect(page.locator("[data-drawings] li [data-value]")).to_have_text(f"{round(degrees)}°")
    pixel = canvas_pixel_between(page, "left_shoulder", "left_elbow")
    assert all(abs(c - w) <= 40 for c, w in zip(pixel[:3], YELLOW, strict=True)), pixel
    screenshot(page, "coaching-angle-at-top")

    # Play: at every frame drawn the angle sits on that frame's arm, and its degrees follow.
    page.click("[data-tool=angle]")  # put the tool down
    page.click("[data-speed='0.5']")
    page.click("[data-phase=toe_up]")
    page.click("[data-act=play]")
    samples: dict[int, dict] = {}
    for _ in range(300):
        s = drawn_state(page)
        if s and s["frame"] not in samples:
            samples[s["frame"]] = s
        if len(samples) >= 10:
            break
        page.wait_for_timeout(25)
    page.click("[data-act=play]")
    assert len(samples) >= 10, sorted(samples)
    for s in samples.values():
        np.testing.assert_allclose(s["points"], s["joints"], atol=1e-6)
        assert s["degrees"] == pytest.approx(angle(to_pixels(s["joints"])), abs=0.05)
    elbows = np.array([s["points"][1] for s in samples.values()])
    assert np.ptp(elbows, axis=0).max() > 0.02  # the arm moved, and the drawing with it
    assert np.ptp([s["degrees"] for s in samples.values()]) > 1.0

    # Still there after a reload.
    page.reload()
    open_swing(page, live_url, player, video)
    expect(page.locator("[data-drawings] li")).to_have_count(1)
    page.click("[data-phase=top]")
    expect(stage).to_have_attribute("data-frame", str(top))
    np.testing.assert_allclose(drawn_state(page)["points"], state["points"], atol=1e-6)
    assert not errors, errors

    # The player sees it, drawn the same, with neither tools nor the right to change it.
    page.context.clear_cookies()
    browser_login(page, player)
    open_swing(page, live_url, player, video)
    expect(page.locator("[data-drawings] li")).to_have_count(1)
    expect(page.locator("[data-drawings] li [data-act]")).to_have_count(0)
    expect(page.locator("[data-draw-toolbar]")).to_have_count(0)
    expect(page.locator(".timeline.editable")).to_have_count(0)
    page.click("[data-phase=top]")
    expect(stage).to_have_attribute("data-frame", str(top))
    np.testing.assert_allclose(drawn_state(page)["points"], state["points"], atol=1e-6)
    url = f"/players/{player.id}/swings/{video.id}/annotations/{saved['id']}/"
    statuses = page.evaluate(
        """async (url) => {
            const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
            const headers = {"Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json"};
            const put = await fetch(url, {method: "PUT", headers, body: JSON.stringify({colour: "#ffffff"})});
            const del = await fetch(url, {method: "DELETE", headers});
            return [put.status, del.status];
        }""",
        url,
    )
    assert statuses == [403, 403]
    assert m.coaching.annotations(coach, player.id, video.id) == [saved]
    screenshot(page, "coaching-angle-player-view")


def test_dragging_the_top_marker_recomputes_the_analysis(page, live_url, browser_login, world):
    from analysis import display
    from analysis.engine.events import EVENT_NAMES
    from analysis.pipeline import run_engine
    from swingvision.db.managers import SYSTEM
    from swingvision.db.swing_facts import dense_keypoints

    m, coach, player, video, _ = world
    errors = watch_errors(page)
    before = m.analyses.latest_for_video(SYSTEM, player.id, video.id)
    top = before.events["top"]
    target = top + 4
    browser_login(page, coach)
    open_swing(page, live_url, player, video)
    tempo = (
        page.locator("table.metrics tr", has=page.locator("th", has_text="Tempo"))
        .locator("td")
        .first
    )
    turn = (
        page.locator("table.metrics tr", has=page.locator("th", has_text="Shoulder turn"))
        .locator("td")
        .first
    )
    expect(tempo).to_contain_text(
        display.format_short("tempo_ratio", before.metrics["tempo_ratio"])
    )
    expect(page.locator("tr[data-event-row=top] .conf")).to_have_text(
        f"{round(before.details['event_confidence']['top'] * 100)}%"
    )

    # Drag the top's marker along the timeline to `target`.
    tick = page.locator(".timeline.editable [data-tick][data-event=top]")
    box = tick.bounding_box()
    ticks = page.locator(".timeline .ticks").bounding_box()
    last = int(page.locator("[data-scrub]").get_attribute("max"))
    x = ticks["x"] + ticks["width"] * target / last
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, box["y"] + box["height"] / 2, steps=6)
    expect(page.locator("[data-replay]")).to_have_attribute("data-frame", str(target))
    page.mouse.up()

    # What the engine says with that top, called directly on the stored poses: the coach's top,
    # the other events where the page showed them (those now out of order found again).
    held = {"top": target}
    for name, frame in before.events.items():
        if name != "top" and frame is not None:
            earlier = EVENT_NAMES.index(name) < EVENT_NAMES.index("top")
            if (earlier and frame < target) or (not earlier and frame > target):
                held[name] = frame
    seq = m.poses.sequence(SYSTEM, player.id, video.id)
    direct = run_engine(
        dense_keypoints(seq, before.details["n_frames"]),
        before.details["fps"],
        player=player,
        view=before.details["view"],
        aspect=before.details["aspect"],
        events_override=held,
    )
    want_tempo = display.format_short("tempo_ratio", direct.metrics["tempo_ratio"].value)
    want_turn = display.format_short("shoulder_turn_deg", direct.metrics["shoulder_turn_deg"].value)
    assert want_tempo != display.format_short("tempo_ratio", before.metrics["tempo_ratio"])
    expect(tempo).to_contain_text(want_tempo)
    expect(turn).to_contain_text(want_turn)
    expect(page.locator("tr[data-event-row=top]")).to_contain_text(f"was {top}")
    expect(page.locator("[data-phase=top]")).to_have_attribute("data-frame", str(target))
    expect(page.locator("#swing-score")).to_contain_text(f"{direct.overall_score:.0f}")
    after = m.analyses.latest_for_video(SYSTEM, player.id, video.id)
    assert after.events == direct.events and after.details["event_override"] == held
    assert after.events["address"] == before.events["address"]
    assert after.metrics["tempo_ratio"] == pytest.approx(direct.metrics["tempo_ratio"].value)
    assert after.metrics["shoulder_turn_deg"] == pytest.approx(
        direct.metrics["shoulder_turn_deg"].value
    )
    correction = after.details["corrections"][-1]
    assert correction["event"] == "top" and correction["by"] == coach.id
    assert (correction["engine_frame"], correction["coach_frame"]) == (top, target)
    screenshot(page, "coaching-top-moved")
    assert_no_overflow(page)  # the phases panel with a coach's event still fits its card

    # Undo from the phases panel: the engine's top and metrics again.
    page.locator("tr[data-event-row=top] button[name=restore]").click()
    expect(page.locator("tr[data-event-row=top] .conf")).to_be_visible()
    expect(tempo).to_contain_text(
        display.format_short("tempo_ratio", before.metrics["tempo_ratio"])
    )
    expect(page.locator("[data-phase=top]")).to_have_attribute("data-frame", str(top))
    assert m.analyses.latest_for_video(SYSTEM, player.id, video.id).events == before.events
    # And the same through the panel's "Here" button: impact set to the frame on screen.
    impact = before.events["impact"]
    page.locator("[data-scrub]").fill(str(impact + 1))
    page.locator("tr[data-event-row=impact] [data-set-current]").click()
    expect(page.locator("tr[data-event-row=impact]")).to_contain_text(f"was {impact}")
    assert m.analyses.latest_for_video(SYSTEM, player.id, video.id).events["impact"] == impact + 1
    assert not errors, errors


def test_a_note_reaches_the_player_who_reads_it(page, live_url, browser_login, world):
    from swingvision.db.managers import SYSTEM

    m, coach, player, video, _ = world
    errors = watch_errors(page)
    browser_login(page, coach)
    open_swing(page, live_url, player, video)
    page.locator("[data-phase=top]").click()
    page.fill("#note-text", "Lovely width here: keep the lead arm long.")
    page.click("[data-use-frame='#note-frame']")
    top = page.locator("[data-replay]").get_attribute("data-frame")
    expect(page.locator("#note-frame")).to_have_value(top)
    page.click("[data-note-form] button[type=submit]")
    expect(page.locator("#swing-notes .note")).to_have_count(1)
    expect(page.locator("#swing-notes .note")).to_contain_text("not read yet")
    [note] = m.notes.for_video(SYSTEM, player.id, video.id)
    assert note.frame == int(top) and note.unread

    page.context.clear_cookies()
    browser_login(page, player)
    expect(page.locator(".new-feedback")).to_contain_text("Lovely width here")
    screenshot(page, "coaching-new-feedback")
    page.locator(".new-feedback a").first.click()
    wait_replay(page)
    expect(page.locator(f"#note-{note.id}")).to_contain_text("Lovely width here")
    expect(page.locator(f"#note-{note.id} .badge.new")).to_be_visible()
    assert m.notes.get(SYSTEM, player.id, note.id).read_at is not None
    page.locator(f"#note-{note.id} [data-seek-frame]").click()
    expect(page.locator("[data-replay]")).to_have_attribute("data-frame", top)
    page.goto(f"{live_url}/players/{player.id}/")
    expect(page.locator(".new-feedback")).to_have_count(0)
    assert re.search(r"Practice plan|Key metrics", page.content())
    assert not errors, errors


CYAN = (0, 229, 255)  # the palette's #00e5ff


def spot_on_screen(page, nx: float, ny: float) -> tuple[float, float]:
    """Where a point of the picture (0..1 of the frame) is, in page (CSS) pixels."""
    return tuple(
        page.evaluate(
            """([nx, ny]) => {
                const p = window.__svPlayer;
                const r = p.contentRect();
                const box = p.overlay.getBoundingClientRect();
                const k = box.width / p.overlay.width;
                return [box.left + (r.x + nx * r.w) * k, box.top + (r.y + ny * r.h) * k];
            }""",
            [nx, ny],
        )
    )


def canvas_pixel_at(page, nx: float, ny: float) -> list[int]:
    """The overlay canvas's colour at a point of the picture (0..1 of the frame)."""
    return page.evaluate(
        """([nx, ny]) => {
            const p = window.__svPlayer;
            const r = p.contentRect();
            const x = Math.floor(r.x + nx * r.w);
            const y = Math.floor(r.y + ny * r.h);
            return [...p.ctx.getImageData(x, y, 1, 1).data];
        }""",
        [nx, ny],
    )


def drawn_ids(page) -> set[str]:
    """The ids of the drawings the overlay shows at the frame on screen."""
    return set(page.evaluate("() => window.__svCoach.drawn.map((d) => d.id)"))


def pick(page, tool: str) -> None:
    """Take up a drawing tool, the picture in view for the clicks that follow."""
    page.click(f"[data-tool={tool}]")
    expect(page.locator(f"[data-tool={tool}]")).to_have_attribute("aria-pressed", "true")
    page.locator("[data-stage]").scroll_into_view_if_needed()


def near(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(c - w) <= tolerance for c, w in zip(pixel[:3], colour, strict=True))


def test_line_circle_and_text_drawn_scoped_edited_deleted_and_kept(
    page, live_url, browser_login, world
):
    m, coach, player, _, _ = world
    # A swing of its own: the other tests' drawings stay out of this one's counts.
    video, _ = make_coded_swing(m, player, video_id=unique("coach-draw-"), seed=12)
    errors = watch_errors(page)
    browser_login(page, coach)
    open_swing(page, live_url, player, video)
    stage = page.locator("[data-replay]")
    items = page.locator("[data-drawings] li")
    toast = page.locator(".coach-toast")
    top = int(page.locator("[data-phase=top]").get_attribute("data-frame"))
    impact = int(page.locator("[data-phase=impact]").get_attribute("data-frame"))
    assert top != impact
    page.click("[data-phase=top]")
    expect(stage).to_have_attribute("data-frame", str(top))

    # A line snapped to the trail side, shoulder to hip, for the whole swing.
    page.check("[data-snap]")
    pick(page, "line")
    for name in ("right_shoulder", "right_hip"):
        x, y = joint_on_screen(page, name)
        page.mouse.click(x + 2, y + 2)
    expect(items).to_have_count(1)
    expect(toast).to_contain_text("Line saved")

    # A cyan circle, free (no snap), only at this frame: centre, then a point on the rim.
    page.uncheck("[data-snap]")
    page.check("[data-this-frame]")
    page.select_option("[data-colour]", "#00e5ff")
    pick(page, "circle")
    centre, rim = (0.15, 0.3), (0.22, 0.3)
    for spot in (centre, rim):
        page.mouse.click(*spot_on_screen(page, *spot))
    expect(items).to_have_count(2)
    expect(toast).to_contain_text("Circle saved")
    expect(page.locator("[data-drawings] li[data-kind=circle]")).to_contain_text(f"frame {top}")

    # A yellow text label for the whole swing.
    page.uncheck("[data-this-frame]")
    page.select_option("[data-colour]", "#ffd400")
    page.fill("[data-text-input]", "Hips first")
    pick(page, "text")
    page.mouse.click(*spot_on_screen(page, 0.7, 0.2))
    expect(items).to_have_count(3)
    expect(toast).to_contain_text("Text saved")
    expect(page.locator("[data-text-input]")).to_have_value("")
    page.click("[data-tool=text]")  # put the tool down

    saved = {a["kind"]: a for a in m.coaching.annotations(coach, player.id, video.id)}
    assert sorted(saved) == ["circle", "line", "text"]
    assert saved["line"]["frame"] is None
    assert saved["line"]["points"] == [{"joint": "right_shoulder"}, {"joint": "right_hip"}]
    circle = saved["circle"]
    assert circle["frame"] == top and circle["colour"] == "#00e5ff"
    assert [(p["x"], p["y"]) for p in circle["points"]] == [
        pytest.approx(centre, abs=0.01),
        pytest.approx(rim, abs=0.01),
    ]
    assert saved["text"]["frame"] is None and saved["text"]["text"] == "Hips first"
    ids = {kind: a["id"] for kind, a in saved.items()}

    # At the top all three are drawn, the circle on its rim; at impact the circle is not.
    assert drawn_ids(page) == set(ids.values())
    assert near(canvas_pixel_at(page, *rim), CYAN), canvas_pixel_at(page, *rim)
    page.click("[data-phase=impact]")
    expect(stage).to_have_attribute("data-frame", str(impact))
    assert drawn_ids(page) == {ids["line"], ids["text"]}
    assert not near(canvas_pixel_at(page, *rim), CYAN), canvas_pixel_at(page, *rim)
    page.click("[data-phase=top]")
    expect(stage).to_have_attribute("data-frame", str(top))
    assert ids["circle"] in drawn_ids(page)
    screenshot(page, "coaching-line-circle-text")

    # Edit the label: new text, magenta.
    label = page.locator(f"[data-drawings] li[data-annotation-id='{ids['text']}']")
    label.locator("[data-act=edit]").click()
    form = label.locator("form.edit-form")
    expect(form).to_be_visible()
    form.locator("select").select_option("#ff4fd8")
    form.locator("input[type=text]").fill("Hips first, then hands")
    form.locator("button[type=submit]").click()
    expect(toast).to_contain_text("Drawing saved")
    label = page.locator(f"[data-drawings] li[data-annotation-id='{ids['text']}']")
    expect(label).to_contain_text("“Hips first, then hands”")
    expect(label.locator("form.edit-form")).to_be_hidden()

    # Delete the line.
    page.locator(
        f"[data-drawings] li[data-annotation-id='{ids['line']}'] [data-act=delete]"
    ).click()
    expect(toast).to_contain_text("Drawing deleted")
    expect(items).to_have_count(2)
    assert drawn_ids(page) == {ids["circle"], ids["text"]}

    stored = m.coaching.annotations(coach, player.id, video.id)
    assert [(a["id"], a["kind"]) for a in stored] == [
        (ids["circle"], "circle"),
        (ids["text"], "text"),
    ]
    text = stored[1]
    assert (text["text"], text["colour"], text["frame"]) == (
        "Hips first, then hands",
        "#ff4fd8",
        None,
    )
    assert text["points"] == saved["text"]["points"] and text["updated_by"] == coach.id
    assert stored[0] == circle

    # After a reload: the same two drawings in the list, on the canvas and from the API.
    page.reload()
    open_swing(page, live_url, player, video)
    expect(items).to_have_count(2)
    assert [items.nth(i).get_attribute("data-kind") for i in range(2)] == ["circle", "text"]
    expect(items.nth(0)).to_contain_text(f"frame {top}")
    expect(items.nth(1)).to_contain_text("“Hips first, then hands”")
    expect(items.nth(1)).to_contain_text("whole swing")
    on_page = page.evaluate(
        """async () => {
            const c = window.__svCoach;
            const r = await fetch(c.urls.annotations, {headers: {Accept: "application/json"}});
            return {status: r.status, api: (await r.json()).annotations, tools: c.annotations};
        }"""
    )
    assert on_page["status"] == 200
    assert on_page["api"] == on_page["tools"] == stored
    page.click("[data-phase=top]")
    expect(stage).to_have_attribute("data-frame", str(top))
    assert drawn_ids(page) == {ids["circle"], ids["text"]}
    page.click("[data-phase=impact]")
    expect(stage).to_have_attribute("data-frame", str(impact))
    assert drawn_ids(page) == {ids["text"]}
    assert not errors, errors
