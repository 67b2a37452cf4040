"""The coach tools over HTTP: the drawing API (JSON, CSRF), phase corrections, notes and their read
state, the drill library, the swing and player pages' coaching parts, and who may do what."""

from __future__ import annotations

import json
import re

import pytest

from swingvision.db.managers import SYSTEM


def swing_url(team, video=None) -> str:
    video = video or team.swing[0]
    return f"/players/{team.player.id}/swings/{video.id}/"


def post_json(client, url, payload, method="post"):
    return getattr(client, method)(
        url,
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


ANGLE = {
    "kind": "angle",
    "points": [{"joint": "left_shoulder"}, {"joint": "left_elbow"}, {"joint": "left_wrist"}],
}


# -- drawings ------------------------------------------------------------------------------------
def test_the_drawing_api_round_trip(team):
    url = swing_url(team) + "annotations/"
    coach = team.client(team.coach)
    r = post_json(coach, url, {**ANGLE, "text": "lead arm", "colour": "#00e5ff"})
    assert r.status_code == 201, r.content
    made = r.json()["annotation"]
    assert made["kind"] == "angle" and made["text"] == "lead arm" and made["frame"] is None
    listed = team.client(team.player).get(url).json()["annotations"]
    assert made in listed
    r = post_json(coach, f"{url}{made['id']}/", {"frame": 10, "colour": "#ffffff"}, method="put")
    assert r.status_code == 200 and r.json()["annotation"]["frame"] == 10
    assert r.json()["annotation"]["points"] == ANGLE["points"]
    r = coach.delete(f"{url}{made['id']}/", HTTP_ACCEPT="application/json")
    assert r.status_code == 204
    assert made["id"] not in [a["id"] for a in coach.get(url).json()["annotations"]]
    assert coach.delete(f"{url}{made['id']}/").status_code == 404


def test_the_player_sees_drawings_but_cannot_change_them(team):
    url = swing_url(team) + "annotations/"
    _, made = team.m.coaching.add_annotation(team.coach, team.player.id, team.swing[0].id, ANGLE)
    player = team.client(team.player)
    r = post_json(player, url, ANGLE)
    assert r.status_code == 403 and "error" in r.json()
    r = post_json(player, f"{url}{made['id']}/", {"colour": "#ffffff"}, method="put")
    assert r.status_code == 403
    assert player.delete(f"{url}{made['id']}/").status_code == 403
    outsider = team.client(team.other_coach)
    assert outsider.get(url).status_code == 404
    assert post_json(outsider, url, ANGLE).status_code == 404
    # The page hands the drawings to the player's script, without the tools.
    html = player.get(swing_url(team)).content.decode()
    assert made["id"] in html and "data-draw-toolbar" not in html
    assert "data-draw-toolbar" in team.client(team.coach).get(swing_url(team)).content.decode()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"kind": "angle", "points": [{"x": 2, "y": 0.5}, {"x": 0, "y": 0}, {"x": 0, "y": 1}]},
            "points[0]",
        ),
        ({"kind": "line", "points": [{"joint": "left_knee"}, {"joint": "<script>"}]}, "points[1]"),
        ({"kind": "text", "points": [{"x": 0.5, "y": 0.5}], "text": "a" * 500}, "text"),
        ({"kind": "line", "points": [{"x": 0, "y": 0}, {"x": 1, "y": 1}], "frame": 99999}, "frame"),
    ],
)
def test_bad_drawings_are_400_naming_the_field(team, payload, field):
    r = post_json(team.client(team.coach), swing_url(team) + "annotations/", payload)
    assert r.status_code == 400 and r.json()["field"] == field, r.content


def test_not_json_and_no_csrf_are_refused(team):
    url = swing_url(team) + "annotations/"
    coach = team.client(team.coach)
    r = coach.post(url, data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "body"
    strict = team.client(team.coach, csrf=True)
    assert post_json(strict, url, ANGLE).status_code == 403  # no X-CSRFToken header
    token = strict.cookies["csrftoken"].value
    r = strict.post(
        url, data=json.dumps(ANGLE), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert r.status_code == 201


# -- phase corrections -----------------------------------------------------------------------------
def metric_cell(html: str, label: str) -> str:
    row = re.search(
        rf'<th scope="row" title="[^"]*">{label}</th>\s*<td class="num"[^>]*>([^<]*)', html
    )
    assert row, label
    return row.group(1).strip()


def test_moving_top_recomputes_what_the_page_shows(team):
    from analysis import display

    video, _, _ = team.plain
    m = team.m
    before = m.analyses.latest_for_video(SYSTEM, team.player.id, video.id)
    coach = team.client(team.coach)
    page = coach.get(swing_url(team, video)).content.decode()
    assert metric_cell(page, "Tempo") == display.format_short(
        "tempo_ratio", before.metrics["tempo_ratio"]
    )
    top = before.events["top"]
    r = post_json(coach, swing_url(team, video) + "events/", {"event": "top", "frame": top + 4})
    assert r.status_code == 200, r.content
    assert r["HX-Trigger"] == "analysis-changed"
    body = r.json()
    assert body["events"]["top"] == top + 4
    row = next(x for x in body["rows"] if x["name"] == "top")
    assert row["corrected"] and row["engine_frame"] == top and row["confidence"] == 1.0
    after = m.analyses.latest_for_video(SYSTEM, team.player.id, video.id)
    assert after.metrics["tempo_ratio"] != before.metrics["tempo_ratio"]
    # The panel htmx refreshes shows the new values, the score out of band, the coach's mark.
    panel = coach.get(
        swing_url(team, video), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="swing-analysis"
    ).content.decode()
    assert panel.lstrip().startswith('<div id="swing-analysis"')
    assert metric_cell(panel, "Tempo") == display.format_short(
        "tempo_ratio", after.metrics["tempo_ratio"]
    )
    assert metric_cell(panel, "Shoulder turn") == display.format_short(
        "shoulder_turn_deg", after.metrics["shoulder_turn_deg"]
    )
    assert 'id="swing-score" class="score-slot" hx-swap-oob="true"' in panel
    assert f"was {top}" in panel
    # The poses' ETag follows the events, so the replay reloads them.
    poses = coach.get(swing_url(team, video) + "poses.json")
    assert json.loads(poses.content)["events"]["top"] == top + 4
    # Undo through the plain form (no JavaScript): back to the engine's frame.
    r = coach.post(
        swing_url(team, video) + "events/", {"event": "top", "frame": "", "restore": "1"}
    )
    assert r.status_code == 302 and r["Location"] == swing_url(team, video)
    assert m.analyses.latest_for_video(SYSTEM, team.player.id, video.id).events == before.events
    assert body["moved"] == []  # four frames later, the other events stay


def test_a_top_set_after_impact_says_which_events_moved_with_it(team):
    """The engine keeps the 8 events in order, so a Top set past Impact takes the events between
    along: the answer names them (outside tester: they moved without a word)."""
    from analysis import display

    video, _, _ = team.plain
    m = team.m
    before = m.analyses.latest_for_video(SYSTEM, team.player.id, video.id)
    late = before.events["mid_follow_through"] - 1
    coach = team.client(team.coach)
    r = post_json(coach, swing_url(team, video) + "events/", {"event": "top", "frame": late})
    assert r.status_code == 200, r.content
    after = m.analyses.latest_for_video(SYSTEM, team.player.id, video.id)
    moved = [
        display.EVENT_LABELS[n]
        for n in display.EVENT_LABELS
        if n != "top" and after.events[n] != before.events[n]
    ]
    frames = [after.events[n] for n in display.EVENT_LABELS]
    assert frames == sorted(set(frames)), after.events  # still in order, a frame each
    assert "Impact" in moved and r.json()["moved"] == moved
    r = coach.post(
        swing_url(team, video) + "events/", {"event": "top", "frame": "", "restore": "1"}
    )
    shown = [str(x) for x in coach.get(swing_url(team, video)).context["messages"]]
    assert any("moved to keep the phases in order" in x and "Impact" in x for x in shown), shown
    # No room after it for the four events that follow: refused, nothing written.
    last = int(video.metadata["frame_count"]) - 1
    r = post_json(coach, swing_url(team, video) + "events/", {"event": "top", "frame": last})
    assert r.status_code == 400 and "before the clip ends" in r.json()["error"], r.content
    assert r.json()["field"] == "frame"
    latest = m.analyses.latest_for_video(SYSTEM, team.player.id, video.id)
    assert latest.events["top"] != last


def test_a_correction_that_keeps_losing_its_race_is_a_409_naming_it(team, monkeypatch):
    """Two corrections at once both stay (tests/db/test_coaching.py); one that loses the race
    WRITE_ATTEMPTS times in a row is refused with 409, and the form says so."""
    from analysis import corrections
    from swingvision.db import Changed

    calls = []

    def lose(*args):
        calls.append(args)
        raise Changed("the analysis was changed by someone else since it was read")

    monkeypatch.setattr(corrections, "_correct_event", lose)
    url = swing_url(team, team.plain[0]) + "events/"
    r = post_json(team.client(team.coach), url, {"event": "top", "frame": 5})
    assert r.status_code == 409 and "top was being corrected" in r.json()["error"]
    assert len(calls) == corrections.WRITE_ATTEMPTS
    r = team.client(team.coach).post(url, {"event": "top", "frame": "5"}, follow=True)
    assert "reload the swing and try again" in r.content.decode()


def test_feedback_the_coach_edited_survives_moving_a_marker(team):
    """The coach edits a finding on the feedback page, then moves Top by one frame on the swing
    page: the edit is still there, and the feedback page says it was written against the
    markers before the correction (it used to be regenerated away without a word)."""
    from tests.dashboard.helpers import account, add_swing

    m = team.m
    player = account(m, "player", coach=team.coach, name="Ed Edits")
    video, analysis, _ = add_swing(m, player, seed=41, shoulder_turn_deg=72.0, backswing_s=1.05)
    assert analysis.feedback
    coach = team.client(team.coach)
    url = f"/players/{player.id}/analyses/{analysis.id}/feedback/"
    page = coach.get(url).content.decode()
    form_html = page[page.index('id="feedback-form"') :]
    version = re.search(r'name="version" value="([0-9a-f]+)"', form_html).group(1)
    # Every stored item goes back (an item leaves only by its Remove box); the first is edited.
    form = {"form": "feedback", "rows": str(len(analysis.feedback)), "version": version}
    for i, item in enumerate(analysis.feedback):
        form[f"index_{i}"] = str(i)
        form.update({f"{k}_{i}": str(item[k]) for k in ("aspect", "finding", "recommendation")})
        form[f"priority_{i}"] = str(item["priority"])
    form["finding_0"] = "Turn the shoulders until the back faces the target."
    assert coach.post(url, form).status_code == 302
    swing = f"/players/{player.id}/swings/{video.id}/events/"
    r = post_json(coach, swing, {"event": "top", "frame": analysis.events["top"] + 1})
    assert r.status_code == 200, r.content
    new = m.analyses.latest_for_video(SYSTEM, player.id, video.id)
    assert new.events["top"] == analysis.events["top"] + 1
    assert new.feedback[0]["finding"] == form["finding_0"]
    page = coach.get(f"/players/{player.id}/analyses/{new.id}/feedback/").content.decode()
    assert form["finding_0"] in page
    assert 'id="feedback-carried"' in page and "written against the markers before" in page
    # The player reads none of the draft before the coach publishes (review on by default).
    assert form["finding_0"] not in team.client(player).get(url).content.decode()


def test_only_the_coach_corrects_phases(team):
    video = team.plain[0]
    url = swing_url(team, video) + "events/"
    r = post_json(team.client(team.player), url, {"event": "top", "frame": 5})
    assert r.status_code == 403
    assert team.client(team.player).post(url, {"event": "top", "frame": "5"}).status_code == 403
    assert (
        post_json(team.client(team.other_coach), url, {"event": "top", "frame": 5}).status_code
        == 404
    )
    r = post_json(team.client(team.coach), url, {"event": "top", "frame": "late"})
    assert r.status_code == 400 and r.json()["field"] == "frame"
    info = team.client(team.player).get(url).json()  # everyone who sees the swing reads them
    assert [r["name"] for r in info["rows"]][:4] == ["address", "toe_up", "mid_backswing", "top"]
    assert all(0 <= r["confidence"] <= 1 for r in info["rows"] if r["confidence"] is not None)


def test_the_swing_page_shows_each_events_confidence(team):
    html = team.client(team.coach).get(swing_url(team)).content.decode()
    analysis = team.m.analyses.latest_for_video(SYSTEM, team.player.id, team.swing[0].id)
    confidence = analysis.details["event_confidence"]
    for name, value in confidence.items():
        assert f'data-event-row="{name}"' in html
        assert f"{round(value * 100)}%" in html
    assert "data-event-form" in html  # the coach corrects
    # The player's page is the player's (#20): no engine confidence, no corrections, no keys.
    mine = team.client(team.player).get(swing_url(team)).content.decode()
    assert "data-event-row" not in mine and "data-event-form" not in mine
    assert "Engine confidence" not in mine and "<kbd>" not in mine


# -- notes -----------------------------------------------------------------------------------------
def test_a_note_reaches_only_its_player_and_is_read_when_they_open_the_swing(team):
    video = team.swing[0]
    coach = team.client(team.coach)
    r = coach.post(swing_url(team) + "notes/", {"text": "Great width at the top!", "frame": "41"})
    assert r.status_code == 302
    note = next(
        n for n in team.m.notes.for_video(SYSTEM, team.player.id, video.id) if n.frame == 41
    )
    assert note.unread
    # htmx posts get the notes panel back.
    r = coach.post(
        swing_url(team) + "notes/",
        {"text": "And finish tall."},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="swing-notes",
    )
    assert r.status_code == 200 and r.content.decode().lstrip().startswith("<section")
    assert "And finish tall." in r.content.decode()
    # The player's home lists it as new; nobody else's does.
    player = team.client(team.player)
    home = player.get(f"/players/{team.player.id}/").content.decode()
    assert "New feedback" in home and "Great width at the top!" in home
    assert f"#note-{note.id}" in home
    other = team.client(team.other_player)
    assert "Great width" not in other.get(f"/players/{team.other_player.id}/").content.decode()
    assert other.get(swing_url(team)).status_code == 404
    # The coach looking changes nothing; the player opening the swing reads it.
    assert "not read yet" in coach.get(swing_url(team)).content.decode()
    assert team.m.notes.get(SYSTEM, team.player.id, note.id).unread
    page = player.get(swing_url(team)).content.decode()
    assert "Great width at the top!" in page and 'class="badge new"' in page
    assert team.m.notes.get(SYSTEM, team.player.id, note.id).read_at is not None
    assert "Great width" not in player.get(f"/players/{team.player.id}/").content.decode()
    assert "read " in coach.get(swing_url(team)).content.decode()


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_a_note_with_a_text_direction_control_is_refused(team, control):
    """U+202E (right-to-left override) in a note showed the report's text reversed."""
    c = team.client(team.coach)
    before = len(team.m.notes.for_video(SYSTEM, team.player.id, team.swing[0].id))
    r = c.post(
        swing_url(team) + "notes/", {"text": f"look at {control}gnp.exe"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 400
    assert "Note: must not contain text-direction controls" in r.content.decode()
    assert len(team.m.notes.for_video(SYSTEM, team.player.id, team.swing[0].id)) == before
    # The plain direction marks (RLM) in Hebrew or Arabic text are kept.
    r = c.post(swing_url(team) + "notes/", {"text": "שלום\u200f ok"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200


def test_only_the_coach_writes_and_deletes_notes(team):
    video = team.swing[0]
    player = team.client(team.player)
    assert player.post(swing_url(team) + "notes/", {"text": "me"}).status_code == 403
    r = team.client(team.coach).post(swing_url(team) + "notes/", {"text": ""})
    assert r.status_code == 302  # back to the page, with the error as a message
    r = team.client(team.coach).post(
        swing_url(team) + "notes/", {"text": ""}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 400 and "Note: is required" in r.content.decode()
    note = team.m.notes.create(team.coach, team.player.id, video.id, text="to delete")
    url = swing_url(team) + f"notes/{note.id}/delete/"
    assert player.post(url).status_code == 403
    assert team.client(team.other_coach).post(url).status_code == 404
    assert team.client(team.coach).post(url).status_code == 302
    assert note.id not in [n.id for n in team.m.notes.for_video(SYSTEM, team.player.id, video.id)]


# -- drills ----------------------------------------------------------------------------------------
def test_the_drill_library_page(team):
    coach = team.client(team.coach)
    r = coach.post(
        "/drills/",
        {
            "name": "Towel under the arms",
            "aspect": "lead_arm_top_deg",
            "description": "Keep it there.",
            "video_url": "https://videos.example.com/towel",
        },
    )
    assert r.status_code == 302
    drill = next(d for d in team.m.drills.all(SYSTEM) if d.name == "Towel under the arms")
    html = team.client(team.player).get("/drills/").content.decode()
    assert "Towel under the arms" in html and "Add a drill" not in html
    link = re.search(r'<a href="https://videos.example.com/towel"([^>]*)>', html)
    assert link and 'rel="noopener noreferrer"' in link.group(1)
    assert "<iframe" not in html
    assert (
        team.client(team.player)
        .post("/drills/", {"name": "x", "aspect": "tempo_ratio"})
        .status_code
        == 403
    )
    r = coach.post(
        "/drills/", {"name": "Bad", "aspect": "tempo_ratio", "video_url": "javascript:alert(1)"}
    )
    assert r.status_code == 400 and "video_url" in r.content.decode()
    edit = {"name": "Towel drill", "aspect": "lead_arm_top_deg", "description": "", "video_url": ""}
    assert team.client(team.other_coach).post(f"/drills/{drill.id}/", edit).status_code == 403
    assert coach.post(f"/drills/{drill.id}/", edit).status_code == 302
    assert team.m.drills.get(SYSTEM, drill.id).name == "Towel drill"
    # One name per aspect (case and spaces aside): refused on the page, naming the field, on
    # adding and on renaming; what was typed stays on the form.
    r = coach.post("/drills/", {**edit, "name": " towel DRILL ", "description": "Mine."})
    assert r.status_code == 400
    page = r.content.decode()
    assert re.search(
        r'<span class="field-error" id="drill-name-error">the library already has a [^<]* drill of',
        page,
    )
    assert "Mine." in page
    assert re.search(r'id="drill-name"[^>]*aria-invalid="true"[^>]*autofocus', page)
    r = coach.post("/drills/", {**edit, "name": "Other towel"})
    assert r.status_code == 302
    other = next(d for d in team.m.drills.all(SYSTEM) if d.name == "Other towel")
    # A refused edit: the library again, that drill's form open as typed, the reason beside
    # its name field (focused, so a phone scrolls to it), the other forms untouched.
    r = coach.post(f"/drills/{other.id}/", {**edit, "name": "TOWEL drill", "description": "Typed."})
    assert r.status_code == 400
    page = r.content.decode()
    form = re.search(rf'<li id="drill-{other.id}".*?</li>', page, re.S).group(0)
    assert '<details class="drill-edit" open>' in form
    assert re.search(r'name="name" value="TOWEL drill"[^>]*aria-invalid="true"[^>]*autofocus', form)
    assert re.search(r'class="field-error"[^>]*>the library already has a [^<]* drill of', form)
    assert "Typed." in form
    assert page.count("autofocus") == 1 and page.count(" open>") == 1
    assert team.m.drills.get(SYSTEM, other.id).name == "Other towel"
    assert team.client(team.player).post(f"/drills/{drill.id}/delete/").status_code == 403
    assert coach.post(f"/drills/{drill.id}/delete/").status_code == 302


def test_feedback_links_drills_and_the_player_page_has_a_practice_plan(team):
    analysis = team.m.analyses.latest_for_video(SYSTEM, team.player.id, team.swing[0].id)
    html = team.client(team.coach).get(swing_url(team)).content.decode()
    library = team.m.drills.by_aspect(SYSTEM)
    assert analysis.feedback
    for item in analysis.feedback:
        drill = library[item["aspect"]][0]
        assert f'href="/drills/#drill-{drill.id}"' in html
    page = team.client(team.coach).get(f"/players/{team.player.id}/").content.decode()
    plan = team.m.coaching.practice_plan(team.coach, team.player.id)
    assert "Practice plan" in page and plan
    for item in plan:
        assert item.label in page
        for d in item.drills:
            assert d.name in page
