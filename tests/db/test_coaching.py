"""The coach tools' manager on every configured backend: titles, drawings, corrected events, the
practice plan."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from analysis.corrections import correct_event
from analysis.engine import EVENT_NAMES, analyze
from analysis.engine.similarity import frame_phases
from swingvision.db import Changed, NotFound
from swingvision.db.managers import SYSTEM, NotAllowed, ValidationError
from tests.backends import managers_fixture
from tests.dashboard.helpers import add_swing
from tests.db.helpers import race
from tests.factories import account

m = managers_fixture()


ARM = [{"joint": "left_shoulder"}, {"joint": "left_elbow"}, {"joint": "left_wrist"}]


def test_a_swing_is_renamed_by_its_player_their_coach_or_an_admin(m, swing_team):
    coach, player, video = swing_team["coach"], swing_team["player"], swing_team["video"]
    renamed = m.coaching.set_title(coach, player.id, video.id, "  Lesson 3, new grip ")
    assert renamed.metadata["title"] == "Lesson 3, new grip"
    stored = m.videos.get(SYSTEM, player.id, video.id)
    assert stored.metadata == {**video.metadata, "title": "Lesson 3, new grip"}
    assert m.coaching.set_title(player, player.id, video.id, "Mine").metadata["title"] == "Mine"
    assert (
        m.coaching.set_title(swing_team["admin"], player.id, video.id, "A").metadata["title"] == "A"
    )
    with pytest.raises(NotFound):
        m.coaching.set_title(swing_team["other_coach"], player.id, video.id, "x")
    with pytest.raises(NotFound):
        m.coaching.set_title(swing_team["other_player"], player.id, video.id, "x")
    for raw in ("x" * 121, 5, "bell\x07"):
        with pytest.raises(ValidationError) as e:
            m.coaching.set_title(coach, player.id, video.id, raw)
        assert e.value.field == "title"
    assert m.videos.get(SYSTEM, player.id, video.id).metadata["title"] == "A"
    cleared = m.coaching.set_title(coach, player.id, video.id, "")
    assert "title" not in cleared.metadata and cleared.metadata == video.metadata


def test_swing_for_edit_gives_the_editor_the_swing_and_no_one_else(m, swing_team):
    coach, player, video = swing_team["coach"], swing_team["player"], swing_team["video"]
    got_player, got_video, analysis = m.coaching.swing_for_edit(coach, player.id, video.id)
    assert (got_player.id, got_video.id, analysis.video_id) == (player.id, video.id, video.id)
    assert m.coaching.swing_for_edit(swing_team["admin"], player.id, video.id)[1].id == video.id
    with pytest.raises(NotAllowed):  # may see the swing, may not change it
        m.coaching.swing_for_edit(player, player.id, video.id)
    for outsider in (swing_team["other_coach"], swing_team["other_player"]):
        with pytest.raises(NotFound):
            m.coaching.swing_for_edit(outsider, player.id, video.id)


def test_record_correction_logs_the_events_before_and_after(m, swing_team):
    coach = swing_team["coach"]
    before = swing_team["analysis"]
    after = m.analyses.latest_for_video(SYSTEM, swing_team["player"].id, swing_team["video"].id)
    entry = {"event": "top", "engine_frame": 40, "coach_frame": 42, "by": coach.id, "at": "now"}
    m.coaching.record_correction(coach, before, after, entry)
    restore = {**entry, "coach_frame": None}
    m.coaching.record_correction(coach, before, after, restore)
    logged = m.audit.page(SYSTEM, target_type="analysis", target_id=after.id, limit=2).entries
    assert [e.action for e in logged] == ["analysis.event_restore", "analysis.event_correct"]
    assert logged[1].before == {"events": before.events, "overall_score": before.overall_score}
    assert logged[1].after["correction"] == entry and logged[1].after["events"] == after.events


def test_a_coach_draws_and_the_player_sees_it(m, swing_team):
    coach, player, video = swing_team["coach"], swing_team["player"], swing_team["video"]
    new, a = m.coaching.add_annotation(
        coach, player.id, video.id, {"kind": "angle", "points": ARM, "text": "lead arm"}
    )
    assert a["kind"] == "angle" and a["frame"] is None and a["points"] == ARM
    assert a["author_id"] == coach.id and a["colour"] == "#ffd400" and a["id"]
    stored = m.analyses.latest_for_video(SYSTEM, player.id, video.id)
    assert a in stored.details["annotations"]
    assert stored.metrics == swing_team["analysis"].metrics  # drawings change nothing else
    assert a in m.coaching.annotations(player, player.id, video.id)
    assert a in m.coaching.annotations(swing_team["admin"], player.id, video.id)
    entry = m.audit.page(SYSTEM, target_type="analysis", target_id=new.id, limit=5).entries[0]
    assert entry.action == "analysis.annotation_add" and entry.actor_id == coach.id


def test_drawings_are_edited_and_deleted_by_the_coach_only(m, swing_team):
    coach, player, video = swing_team["coach"], swing_team["player"], swing_team["video"]
    _, a = m.coaching.add_annotation(
        coach,
        player.id,
        video.id,
        {"kind": "line", "frame": 5, "points": [{"x": 0.1, "y": 0.2}, ARM[1]]},
    )
    with pytest.raises(NotAllowed):
        m.coaching.update_annotation(player, player.id, video.id, a["id"], {"colour": "#ffffff"})
    with pytest.raises(NotAllowed):
        m.coaching.delete_annotation(player, player.id, video.id, a["id"])
    with pytest.raises(NotFound):  # another coach does not even see the swing
        m.coaching.delete_annotation(swing_team["other_coach"], player.id, video.id, a["id"])
    _, changed = m.coaching.update_annotation(
        coach, player.id, video.id, a["id"], {"colour": "#00E5FF", "frame": None, "text": "plane"}
    )
    assert changed["id"] == a["id"] and changed["colour"] == "#00e5ff" and changed["frame"] is None
    assert changed["points"] == a["points"] and changed["updated_by"] == coach.id
    m.coaching.delete_annotation(coach, player.id, video.id, a["id"])
    ids = [x["id"] for x in m.coaching.annotations(coach, player.id, video.id)]
    assert a["id"] not in ids
    with pytest.raises(NotFound):
        m.coaching.delete_annotation(coach, player.id, video.id, a["id"])


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"kind": "ellipse", "points": ARM}, "kind"),
        ({"kind": "angle", "points": ARM[:2]}, "points"),
        ({"kind": "line", "points": [{"x": 1.2, "y": 0.5}, {"x": 0, "y": 0}]}, "points[0]"),
        (
            {"kind": "line", "points": [{"x": 0.5, "y": float("nan")}, {"x": 0, "y": 0}]},
            "points[0]",
        ),
        ({"kind": "line", "points": [{"joint": "left_elbow"}, {"joint": "tail"}]}, "points[1]"),
        ({"kind": "line", "points": [{"x": 0.1, "y": 0.1, "z": 1}, {"x": 0, "y": 0}]}, "points[0]"),
        ({"kind": "text", "points": [{"x": 0.5, "y": 0.5}], "text": ""}, "text"),
        ({"kind": "text", "points": [{"x": 0.5, "y": 0.5}], "text": "x" * 201}, "text"),
        ({"kind": "circle", "points": ARM[:2], "colour": "red"}, "colour"),
        ({"kind": "circle", "points": ARM[:2], "frame": 100000}, "frame"),
        ({"kind": "circle", "points": ARM[:2], "frame": -1}, "frame"),
        ({"kind": "circle", "points": ARM[:2], "onclick": "x"}, "onclick"),
    ],
)
def test_drawings_are_validated_field_by_field(m, swing_team, raw, field):
    with pytest.raises(ValidationError) as e:
        m.coaching.add_annotation(
            swing_team["coach"], swing_team["player"].id, swing_team["video"].id, raw
        )
    assert e.value.field == field


def _stored_keypoints(m, player, video, analysis):
    from swingvision.db.swing_facts import dense_keypoints

    seq = m.poses.sequence(SYSTEM, player.id, video.id)
    return dense_keypoints(seq, analysis.details["n_frames"])


def test_moving_top_recomputes_the_analysis_like_the_engine_with_that_event(m, swing_team):
    coach, player = swing_team["coach"], swing_team["player"]
    video, _, _ = add_swing(m, player, seed=5)
    before = m.analyses.latest_for_video(SYSTEM, player.id, video.id)
    top = before.events["top"]
    new = correct_event(m, coach, player.id, video.id, "top", top + 4)
    assert new.id == before.id and new.events["top"] == top + 4
    # The engine keeps the coach's top and the other events where they were, but for those the
    # new top leaves out of order (found again between the coach's events).
    held = {"top": top + 4}
    for name, frame in before.events.items():
        if name != "top" and frame is not None:
            earlier = EVENT_NAMES.index(name) < EVENT_NAMES.index("top")
            if (earlier and frame < top + 4) or (not earlier and frame > top + 4):
                held[name] = frame
    assert new.details["event_override"] == held
    assert new.events["address"] == before.events["address"]
    assert new.events["impact"] == before.events["impact"]
    kp = _stored_keypoints(m, player, video, before)
    direct = analyze(
        kp,
        before.details["fps"],
        view=before.details["view"],
        aspect=before.details["aspect"],
        events_override=held,
    )
    assert new.events == direct.events
    # Tempo is now (top - address) / (impact - top) with the coach's top.
    tempo = (top + 4 - before.events["address"]) / (before.events["impact"] - top - 4)
    assert new.metrics["tempo_ratio"] == pytest.approx(tempo, rel=1e-3)
    for name in ("tempo_ratio", "shoulder_turn_deg", "x_factor_deg"):
        assert new.metrics[name] == pytest.approx(direct.metrics[name].value, abs=1e-4), name
    assert new.metrics["tempo_ratio"] != pytest.approx(before.metrics["tempo_ratio"], abs=1e-3)
    assert new.metrics["shoulder_turn_deg"] != pytest.approx(
        before.metrics["shoulder_turn_deg"], abs=1e-3
    )
    assert new.overall_score == pytest.approx(direct.overall_score)
    [c] = new.details["corrections"]
    assert c["event"] == "top" and c["engine_frame"] == top and c["coach_frame"] == top + 4
    assert c["by"] == coach.id and c["at"]
    assert new.details["event_confidence"]["top"] == 1.0
    # The events kept where the engine found them keep the engine's confidence.
    for name in held:
        if name != "top":
            assert new.details["event_confidence"][name] == before.details["event_confidence"][name]
    head = ("head_sway", "head_dip")  # from address to impact: the top does not move them
    assert {k: new.metrics[k] for k in head} == {k: before.metrics[k] for k in head}
    # Stored where the pages read it, and in the audit log.
    assert m.analyses.latest_for_video(coach, player.id, video.id).metrics == new.metrics
    entry = m.audit.page(SYSTEM, target_type="analysis", target_id=new.id, limit=1).entries[0]
    assert entry.action == "analysis.event_correct" and entry.actor_id == coach.id
    assert (
        entry.before["events"]["top"] == top and entry.after["correction"]["coach_frame"] == top + 4
    )
    # The poses' phases follow the new events (similarity search filters on them).
    phases = frame_phases(new.events, len(kp))
    assert phases != frame_phases(before.events, len(kp))
    assert [p.phase for p in m.poses.for_video(SYSTEM, player.id, video.id)] == phases
    # So does the swing's event strip (the top's tile is the 4th).
    thumbs = m.videos.get_system(player.id, video.id).metadata["thumbs"]
    assert thumbs["frames"] == [new.events[e] for e in EVENT_NAMES]
    # Giving the event back to the engine restores the engine's analysis.
    back = correct_event(m, coach, player.id, video.id, "top", None)
    assert back.events == before.events and back.metrics == before.metrics
    assert back.details["event_override"] == {}
    assert back.details["event_confidence"] == before.details["event_confidence"]
    assert [c["coach_frame"] for c in back.details["corrections"]] == [top + 4, None]


def test_an_event_the_engine_missed_can_be_set_and_order_is_kept(m, swing_team):
    coach, player = swing_team["coach"], swing_team["player"]
    video, analysis, _ = add_swing(m, player, seed=6)
    impact = analysis.events["impact"]
    correct_event(m, coach, player.id, video.id, "impact", impact + 1)
    with pytest.raises(ValidationError) as e:  # top after the coach's impact
        correct_event(m, coach, player.id, video.id, "top", impact + 3)
    assert e.value.field == "frame" and "before Impact" in e.value.message
    for bad in ("x", -1, 10**6, 2.5, True):
        with pytest.raises(ValidationError) as e:
            correct_event(m, coach, player.id, video.id, "top", bad)
        assert e.value.field == "frame"
    with pytest.raises(ValidationError) as e:
        correct_event(m, coach, player.id, video.id, "backswing", 3)
    assert e.value.field == "event"
    with pytest.raises(NotAllowed):
        correct_event(m, player, player.id, video.id, "top", 3)
    with pytest.raises(NotFound):
        correct_event(m, swing_team["other_coach"], player.id, video.id, "top", 3)
    # An event with no frame (the engine could not find it) takes the coach's.
    stored = m.analyses.latest_for_video(SYSTEM, player.id, video.id)
    m.analyses.update(stored, events={**stored.events, "finish": None})
    new = correct_event(m, coach, player.id, video.id, "finish", impact + 12)
    assert new.events["finish"] == impact + 12
    assert new.details["corrections"][-1]["engine_frame"] is None


def test_a_rerun_keeps_the_coachs_events_and_drawings(m, swing_team):
    from analysis.pipeline import LoadedPoses, analyze_and_store

    coach, player = swing_team["coach"], swing_team["player"]
    video, analysis, swing = add_swing(m, player, seed=8)
    top = analysis.events["top"]
    m.coaching.add_annotation(coach, player.id, video.id, {"kind": "angle", "points": ARM})
    correct_event(m, coach, player.id, video.id, "top", top - 3)
    poses = LoadedPoses(
        keypoints=swing.keypoints, fps=30.0, source="synthetic", width=480, height=360
    )
    corrected = m.analyses.latest_for_video(SYSTEM, player.id, video.id)
    rerun = analyze_and_store(m, video, poses, player=player)
    assert rerun.events == corrected.events and rerun.events["top"] == top - 3
    assert rerun.metrics == corrected.metrics
    assert rerun.details["corrections"] == corrected.details["corrections"]
    assert rerun.details["event_override"] == corrected.details["event_override"]
    assert rerun.details["event_confidence"] == corrected.details["event_confidence"]
    assert [a["points"] for a in rerun.details["annotations"]] == [ARM]
    direct = analyze(
        np.asarray(swing.keypoints, np.float32),
        30.0,
        aspect=480 / 360,
        events_override=corrected.details["event_override"],
    )
    assert rerun.metrics["tempo_ratio"] == pytest.approx(direct.metrics["tempo_ratio"].value)


def test_the_practice_plan_ranks_aspects_by_recent_feedback(m, swing_team):
    from swingvision.coaching.library import seed_drills

    seed_drills(m)
    coach = swing_team["coach"]
    player = account(m, "player", coach=coach)
    swings = [add_swing(m, player, seed=20 + i, days_ago=5 - i) for i in range(3)]
    feedback = [
        [{"aspect": "tempo_ratio", "finding": f"tempo {i}", "priority": 2}] for i in range(3)
    ]
    feedback[2].append({"aspect": "head_sway", "finding": "head moved", "priority": 1})
    feedback[0].append({"aspect": "hip_turn_deg", "finding": "hips", "priority": 3})
    for (_, a, _), items in zip(swings, feedback, strict=True):
        m.analyses.update(a, feedback=items)
    plan = m.coaching.practice_plan(coach, player.id)
    assert [p.aspect for p in plan] == ["tempo_ratio", "head_sway", "hip_turn_deg"]
    assert plan[0].weight == 6 and plan[0].swings == 3 and plan[0].finding == "tempo 2"
    assert plan[0].label == "Tempo" and plan[0].drills and len(plan[0].drills) <= 3
    assert all(d.aspect == "tempo_ratio" for d in plan[0].drills)
    assert m.coaching.practice_plan(player, player.id) == plan
    with pytest.raises(NotFound):
        m.coaching.practice_plan(swing_team["other_coach"], player.id)


def test_two_corrections_at_the_same_moment_both_stay(m, swing_team):
    """Tab 1 moves Toe up, tab 2 Finish, at the same moment: each correction re-reads the
    analysis and re-applies its one event when it lost the race, so neither is lost."""
    coach, player = swing_team["coach"], swing_team["player"]
    video, analysis, _ = add_swing(m, player, seed=11)
    toe_up, finish = analysis.events["toe_up"] + 1, analysis.events["finish"] - 1
    moves = iter([("toe_up", toe_up), ("finish", finish)])
    lock = threading.Lock()

    def correct():
        with lock:
            event, frame = next(moves)
        return correct_event(m, coach, player.id, video.id, event, frame) is not None

    assert race(m, correct, racers=2) == [True, True]
    stored = m.analyses.latest_for_video(SYSTEM, player.id, video.id)
    assert (stored.events["toe_up"], stored.events["finish"]) == (toe_up, finish)
    assert {c["event"]: c["coach_frame"] for c in stored.details["corrections"]} == {
        "toe_up": toe_up,
        "finish": finish,
    }
    assert stored.details["event_override"]["toe_up"] == toe_up
    assert stored.details["event_override"]["finish"] == finish
    # The event strip and the poses' phases follow the analysis that stayed.
    thumbs = m.videos.get_system(player.id, video.id).metadata["thumbs"]
    assert thumbs["frames"] == [stored.events[e] for e in EVENT_NAMES]
    phases = frame_phases(stored.events, stored.details["n_frames"])
    assert [p.phase for p in m.poses.for_video(SYSTEM, player.id, video.id)] == phases


def test_a_write_over_an_analysis_changed_since_it_was_read_is_refused(m, swing_team):
    player = swing_team["player"]
    video, analysis, _ = add_swing(m, player, seed=12)
    first = m.analyses.update(analysis, details={**analysis.details, "note": 1})
    with pytest.raises(Changed):  # `analysis` is the row before that write
        m.analyses.update(analysis, details={**analysis.details, "note": 2})
    current, at = m.analyses.read_for_write(player.id, analysis.id)
    assert current.details == first.details
    m.analyses.update(first, details={**first.details, "note": 3})
    with pytest.raises(Changed):  # a save at a version read before that update
        m.analyses.save(
            video,
            engine_version=current.engine_version,
            overall_score=current.overall_score,
            metrics=current.metrics,
            events=current.events,
            feedback=current.feedback,
            details=current.details,
            swing_embedding=None,
            at=at,
        )
    missing, absent = m.analyses.read_for_write(player.id, f"{video.id}:0.0.1")
    assert missing is None and absent.params is None

    def save_empty():
        return m.analyses.save(
            video,
            engine_version="0.0.1",
            overall_score=None,
            metrics={},
            events={},
            feedback=[],
            details={},
            swing_embedding=None,
            at=absent,
        )

    save_empty()
    with pytest.raises(Changed):  # written by someone else since it was found absent
        save_empty()
    assert m.analyses.read_for_write(player.id, analysis.id)[0].details["note"] == 3


def test_the_coachs_feedback_edits_survive_a_corrected_marker(m, swing_team):
    """The coach rewrites a finding, removes an item and adds one, then moves Top by a frame:
    the re-analysis keeps what the coach wrote (marked as written against the old markers) and
    only the items the coach left as the engine wrote them follow the new analysis."""
    coach, player = swing_team["coach"], swing_team["player"]
    video, analysis, _ = add_swing(
        m, player, seed=13, shoulder_turn_deg=72.0, backswing_s=1.05, days_ago=1
    )
    engine = analysis.feedback
    assert len(engine) >= 2, engine
    rewritten, removed = engine[0]["aspect"], engine[1]["aspect"]
    items = [
        {"index": 0, **engine[0], "finding": "My words on this, not the engine's."},
        *({"index": i, **item} for i, item in enumerate(engine) if i >= 2),
        {
            "aspect": "spine_angle_address_deg",
            "finding": "",
            "recommendation": "Weaken the left hand.",
            "priority": 2,
        },
    ]
    edited = m.admin.update_feedback(coach, player.id, analysis.id, items)
    new = correct_event(m, coach, player.id, video.id, "top", analysis.events["top"] + 1)
    assert new.events["top"] == analysis.events["top"] + 1
    by_aspect = {item["aspect"]: item for item in new.feedback}
    assert by_aspect[rewritten]["finding"] == "My words on this, not the engine's."
    assert by_aspect["spine_angle_address_deg"]["recommendation"] == "Weaken the left hand."
    assert removed not in by_aspect  # removed by the coach: stays removed
    # The engine's list it now compares with is the new one; the coach is still the editor.
    rerun = analyze(
        _stored_keypoints(m, player, video, new), new.details["fps"],
        events_override=new.details["event_override"], view=new.details["view"],
        aspect=new.details["aspect"],
    )  # fmt: skip
    assert new.details["feedback_original"] == [
        {k: f.__getattribute__(k) for k in ("aspect", "finding", "recommendation", "priority")}
        for f in rerun.feedback
    ]
    assert new.details["feedback_edited_by"] == coach.id
    carried = new.details["feedback_carried"]
    assert set(carried["aspects"]) == {rewritten, "spine_angle_address_deg"}
    assert carried["events"] == edited.events  # written against the markers before
    # Another correction keeps them again; saving the feedback clears the mark.
    again = correct_event(m, coach, player.id, video.id, "top", analysis.events["top"])
    assert {i["aspect"]: i for i in again.feedback}[rewritten]["finding"].startswith("My words")
    assert removed not in {i["aspect"] for i in again.feedback}
    saved = m.admin.update_feedback(
        coach, player.id, again.id, [{"index": 0, **again.feedback[0], "finding": "Checked."}]
    )
    assert "feedback_carried" not in saved.details


def test_two_drawings_added_at_the_same_moment_both_stay(m, swing_team):
    coach, player = swing_team["coach"], swing_team["player"]
    video, _, _ = add_swing(m, player, seed=14)
    texts = iter(["tab one", "tab two"])
    lock = threading.Lock()

    def draw():
        with lock:
            text = next(texts)
        raw = {"kind": "text", "points": [{"x": 0.5, "y": 0.5}], "text": text}
        return m.coaching.add_annotation(coach, player.id, video.id, raw)[1]["text"] == text

    assert race(m, draw, racers=2) == [True, True]
    drawn = m.coaching.annotations(coach, player.id, video.id)
    assert sorted(a["text"] for a in drawn) == ["tab one", "tab two"]
