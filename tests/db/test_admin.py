"""The admin data managers on every configured backend: users, videos, analyses, feedback, progress,
listings; every change audited."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import pytest

from analysis.engine.pose import SWING_EMBEDDING_DIM
from swingvision.db import Changed, NotFound
from swingvision.db.managers import SYSTEM, NotAllowed, ValidationError
from swingvision.db.managers.admin import form_version
from swingvision.storage import BlobNotFound
from tests.backends import managers_fixture
from tests.db.helpers import (
    NEW_PASSWORD,
    T0,
    analyse,
    audit_for,
    open_session,
    record_swing,
    stored_session,
)
from tests.factories import TEST_PASSWORD, account, unique

m = managers_fixture()


def test_admin_reads_creates_and_updates_users_with_an_audit_trail(m, team):
    admin, coach, other_coach = team["admin"], team["coach"], team["other_coach"]
    assert m.admin.user(admin, coach.id) == coach
    with pytest.raises(NotFound):
        m.admin.user(coach, coach.id)
    username = unique("newbie")
    user, generated = m.admin.create_user(
        admin,
        username=f" {username} ",
        email=f"{username}@example.com",
        role="player",
        coach_id=coach.id,
        full_name="  Nina New ",
    )
    assert generated and (user.username, user.full_name, user.coach_id) == (
        username,
        "Nina New",
        coach.id,
    )
    assert m.users.get(user.id) == user
    assert m.users.authenticate(username, generated).id == user.id
    [entry] = audit_for(m, "user", user.id)
    assert entry.action == "user.create" and entry.actor_id == admin.id
    assert entry.after["username"] == username and "password_hash" not in entry.after
    named, none = m.admin.create_user(
        admin, username=unique("coachy"), email=f"{unique('c')}@example.com", role="coach",
        password=NEW_PASSWORD,
    )  # fmt: skip
    assert none is None and m.users.authenticate(named.username, NEW_PASSWORD).id == named.id
    with pytest.raises(NotFound):
        m.admin.create_user(coach, username=unique("x"), email="x@example.com", role="player")
    with pytest.raises(ValidationError) as e:
        m.admin.create_user(
            admin, username=unique("x"), email="x@example.com", role="player", full_name="a\x00b"
        )
    assert e.value.field == "full_name"
    # An edit writes only what changed into the log.
    moved = m.admin.update_user(
        admin, user.id, {"coach_id": other_coach.id, "full_name": "Nina New"}
    )
    assert moved.coach_id == other_coach.id and m.users.get(user.id).coach_id == other_coach.id
    latest = audit_for(m, "user", user.id)[0]
    assert latest.action == "user.update"
    assert (latest.before, latest.after) == ({"coach_id": coach.id}, {"coach_id": other_coach.id})
    # Deactivating ends the user's sessions at once.
    session = open_session(m, user.id)
    m.admin.update_user(admin, user.id, {"active": False})
    assert m.users.get(user.id).active is False
    assert stored_session(m, session.session_key) is None
    for changes, field in (
        ({"password_hash": "x"}, "password_hash"),
        ({"active": "no"}, "active"),
        ({"username": "  "}, "username"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.update_user(admin, user.id, changes)
        assert e.value.field == field
    with pytest.raises(ValidationError) as e:  # an admin cannot demote themselves
        m.admin.update_user(admin, admin.id, {"role": "coach"})
    assert e.value.field == "role"
    with pytest.raises(ValidationError) as e:  # a coach with players stays a coach
        m.admin.update_user(admin, coach.id, {"role": "player", "coach_id": other_coach.id})
    assert e.value.field == "role" and m.users.get(coach.id).role == "coach"
    with pytest.raises(NotFound):
        m.admin.update_user(coach, user.id, {"full_name": "Nope"})


def test_admin_password_reset_generates_or_sets_one_and_ends_sessions(m, team):
    admin = team["admin"]
    p = account(m, "player", coach=team["coach"])
    session = open_session(m, p.id)
    generated = m.admin.reset_password(admin, p.id)
    assert generated and m.users.authenticate(p.username, generated).id == p.id
    assert m.users.authenticate(p.username, TEST_PASSWORD) is None
    assert stored_session(m, session.session_key) is None
    entry = audit_for(m, "user", p.id)[0]
    assert entry.action == "user.password_reset" and entry.actor_id == admin.id
    assert generated not in repr(entry.after) and entry.after["generated"] is True
    assert m.admin.reset_password(admin, p.id, NEW_PASSWORD) is None
    assert m.users.authenticate(p.username, NEW_PASSWORD).id == p.id
    with pytest.raises(NotFound):
        m.admin.reset_password(team["coach"], p.id, NEW_PASSWORD)
    with pytest.raises(NotFound):
        m.admin.reset_password(admin, "no-such-user")


def test_player_settings_are_changed_by_their_coach_or_an_admin(m, team):
    coach = team["coach"]
    p = account(m, "player", coach=coach, settings={"handedness": "right", "note": "keep"})
    new = m.admin.update_player_settings(
        coach,
        p.id,
        handedness="left",
        view="down-the-line",
        targets={"tempo_ratio": ("2.5", 3.5), "head_sway": None},
    )
    want = {
        "handedness": "left",
        "view": "down-the-line",
        "note": "keep",
        "targets": {"tempo_ratio": [2.5, 3.5]},
    }
    assert new.settings == want and m.users.get(p.id).settings == want
    [entry] = audit_for(m, "user", p.id)
    assert entry.action == "player.settings" and entry.actor_id == coach.id
    assert entry.before == {"handedness": "right", "view": None, "targets": None}
    assert entry.after == {
        "handedness": "left",
        "view": "down-the-line",
        "targets": {"tempo_ratio": [2.5, 3.5]},
    }
    # The same settings again: nothing written, nothing logged.
    same = m.admin.update_player_settings(
        team["admin"],
        p.id,
        handedness="left",
        view="down-the-line",
        targets={"tempo_ratio": (2.5, 3.5)},
    )
    assert same.settings == want and len(audit_for(m, "user", p.id)) == 1
    with pytest.raises(NotAllowed):
        m.admin.update_player_settings(p, p.id, handedness="left", view="face-on", targets={})
    with pytest.raises(NotFound):
        m.admin.update_player_settings(
            team["other_coach"], p.id, handedness="left", view="face-on", targets={}
        )
    for kw, field in (
        ({"handedness": "both"}, "handedness"),
        ({"view": "overhead"}, "view"),
        ({"targets": {"tempo_ratio": (3.5, 2.5)}}, "tempo_ratio_lo"),
        ({"targets": {"tempo_ratio": ("x", 2.5)}}, "tempo_ratio_lo"),
        ({"targets": {"tempo_ratio": (1, float("inf"))}}, "tempo_ratio_hi"),
        ({"targets": {"swing_time_s": (-5, -1)}}, "swing_time_s_lo"),
        ({"targets": {"head_sway": (0.0, 0.9)}}, "head_sway_hi"),
        ({"targets": {"swagger": (1, 2)}}, "target_swagger"),
    ):
        args = {"handedness": "left", "view": "face-on", "targets": {}, **kw}
        with pytest.raises(ValidationError) as e:
            m.admin.update_player_settings(coach, p.id, **args)
        assert e.value.field == field
    assert m.users.get(p.id).settings == want


class RecordingStore:
    """A blob store that records deletes; refs in `missing` are already gone."""

    def __init__(self, missing=()):
        self.deleted: list[str] = []
        self.missing = set(missing)

    def delete(self, ref: str) -> None:
        if ref in self.missing:
            raise BlobNotFound(ref)
        self.deleted.append(ref)


def test_admin_video_edit_and_delete(m, team):
    admin, coach = team["admin"], team["coach"]
    p = account(m, "player", coach=coach)
    video = record_swing(m, p, T0, score=70.0, club="driver", view="face-on")
    kept = record_swing(m, p, T0 + timedelta(days=1), score=60.0)
    assert m.admin.video(admin, p.id, video.id) == video
    with pytest.raises(NotFound):
        m.admin.video(coach, p.id, video.id)
    changed = m.admin.update_video(
        admin,
        p.id,
        video.id,
        {"filename": " range.mp4 ", "club": "7i", "view": "down-the-line", "status": "failed"},
    )
    assert (changed.filename, changed.status) == ("range.mp4", "failed")
    assert changed.metadata == {"club": "7i", "view": "down-the-line"}
    assert m.videos.get(SYSTEM, p.id, video.id) == changed
    entry = audit_for(m, "video", video.id)[0]
    assert entry.action == "video.update" and entry.actor_id == admin.id
    assert entry.before["status"] == "analyzed" and entry.after["status"] == "failed"
    assert entry.after["metadata"] == {"club": "7i", "view": "down-the-line"}
    assert "updated_at" not in entry.after
    cleared = m.admin.update_video(admin, p.id, video.id, {"club": "", "view": ""})
    assert cleared.metadata == {}
    assert m.admin.update_video(admin, p.id, video.id, {"club": "", "view": ""}) == cleared
    # The values it already has: no write and no audit entry.
    same = {"status": "failed", "filename": "range.mp4"}
    assert m.admin.update_video(admin, p.id, video.id, same) == cleared
    assert len(audit_for(m, "video", video.id)) == 2
    for changes, field in (
        ({"filename": "../x.mp4"}, "filename"),
        ({"status": "gone"}, "status"),
        ({"view": "overhead"}, "view"),
        ({"blob_ref": "file:///etc/passwd"}, "blob_ref"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.update_video(admin, p.id, video.id, changes)
        assert e.value.field == field
    with pytest.raises(NotFound):
        m.admin.update_video(coach, p.id, video.id, {"status": "uploaded"})
    # Only the allowed status changes: never to "processing" (the worker's), nor out of
    # "expired"; the refusal names the field and changes nothing.
    with pytest.raises(ValidationError) as e:
        m.admin.update_video(admin, p.id, video.id, {"status": "processing"})
    assert e.value.field == "status" and "only to uploaded" in e.value.message
    with pytest.raises(ValidationError):
        m.admin.update_video(admin, p.id, video.id, {"status": "expired"})
    assert m.videos.get(SYSTEM, p.id, video.id).status == "failed"
    # Delete: refused while the worker has it; then blobs, rows and derived rows go.
    m.videos.update(m.videos.get(SYSTEM, p.id, video.id), status="processing")
    with pytest.raises(ValidationError) as e:
        m.admin.delete_video(admin, p.id, video.id, RecordingStore())
    assert e.value.field == "status" and m.videos.find_any(video.id) is not None
    full = m.videos.update(
        m.videos.get(SYSTEM, p.id, video.id),
        status="failed",
        blob_ref="local://raw/v.mp4",
        metadata={"pose_ref": "local://poses/p.csv", "thumbs": {"poster_ref": "local://t/p.jpg"}},
    )
    m.poses.write_video_poses(full, np.full((4, 33, 4), 0.5, np.float32), 30.0)
    m.progress.recompute_player(p.id)
    store = RecordingStore(missing={"local://poses/p.csv"})  # already gone: not an error
    m.admin.delete_video(admin, p.id, video.id, store)
    assert store.deleted == ["local://raw/v.mp4", "local://t/p.jpg"]
    assert m.videos.find_any(video.id) is None and m.poses.count(full) == 0
    assert m.analyses.latest_for_video_system(full) is None
    assert [
        pt.progress_date.date()
        for pt in m.progress.between(admin, p.id, T0, T0 + timedelta(days=9))
    ] == [(T0 + timedelta(days=1)).date()]
    assert m.videos.find_any(kept.id) is not None
    entry = audit_for(m, "video", video.id)[0]
    assert entry.action == "video.delete" and entry.before["filename"] == "range.mp4"
    with pytest.raises(NotFound):
        m.admin.delete_video(admin, p.id, video.id, RecordingStore())


def test_admin_analyses_listing_and_one_analysis(m, team):
    admin, coach = team["admin"], team["coach"]
    p = account(m, "player", coach=coach)
    v0 = record_swing(m, p, T0, score=50.0)
    a1 = analyse(m, v0, 55.0, at=T0 + timedelta(days=1), engine="2.0.0",
                  swing_embedding=np.arange(SWING_EMBEDDING_DIM, dtype=np.float32))  # fmt: skip
    v1 = record_swing(m, p, T0 + timedelta(days=2), score=60.0)
    page = m.admin.analyses_page(admin, player_id=p.id)
    assert page.total == 3 and (page.page, page.pages) == (1, 1)
    assert [r.record.video_id for r in page.rows] == [v1.id, v0.id, v0.id]  # newest first
    assert [r.record.overall_score for r in page.rows] == [60.0, 55.0, 50.0]
    assert all(r.player == p for r in page.rows)
    assert all(r.record.swing_embedding is None for r in page.rows)  # listings skip vectors
    second = m.admin.analyses_page(admin, player_id=p.id, per_page=2, page=2)
    assert [r.record.overall_score for r in second.rows] == [50.0] and second.pages == 2
    assert m.admin.analyses_page(admin).total >= 3
    with pytest.raises(NotFound):
        m.admin.analyses_page(coach, player_id=p.id)
    got = m.admin.analysis(coach, p.id, a1.id)
    assert dataclasses.replace(got, swing_embedding=None) == dataclasses.replace(
        a1, swing_embedding=None
    )
    np.testing.assert_array_equal(got.swing_embedding, a1.swing_embedding)
    assert m.admin.analysis(p, p.id, a1.id).id == a1.id  # the player sees their own
    with pytest.raises(NotFound):
        m.admin.analysis(team["other_coach"], p.id, a1.id)
    with pytest.raises(NotFound):
        m.admin.analysis(coach, p.id, "no-such-analysis")


ENGINE_FEEDBACK = [
    {"aspect": "tempo_ratio", "finding": "4:1", "recommendation": "quicker", "priority": 1,
     "metric_value": 4.0},
    {"aspect": "head_sway", "finding": "0.2", "recommendation": "still", "priority": 2,
     "metric_value": 0.2},
]  # fmt: skip


def test_feedback_edits_and_reviews_by_the_coach(m, team):
    coach = team["coach"]
    p = account(m, "player", coach=coach)
    video = record_swing(m, p, T0)
    a = analyse(m, video, 64.0, at=T0 + timedelta(hours=1), feedback=ENGINE_FEEDBACK)
    items = [
        {"aspect": "hip_sway_top", "finding": "", "recommendation": "hold the finish", "priority": "3"},
        {"index": 1, "aspect": "head_sway", "finding": "0.2", "recommendation": "Keep still",
         "priority": 1},
    ]  # fmt: skip
    new = m.admin.update_feedback(coach, p.id, a.id, items)
    assert [f["aspect"] for f in new.feedback] == ["head_sway", "hip_sway_top"]  # by priority
    assert new.feedback[0]["metric_value"] == 0.2  # the engine's extra keys stay
    assert new.feedback[1] == {
        "aspect": "hip_sway_top",
        "finding": "",
        "recommendation": "hold the finish",
        "priority": 3,
    }
    stored = m.analyses.latest_for_video_system(video)
    assert stored.feedback == new.feedback and stored.metrics == a.metrics
    assert stored.details["feedback_original"] == ENGINE_FEEDBACK
    assert stored.details["feedback_edited_by"] == coach.id
    entry = audit_for(m, "analysis", a.id)[0]
    assert entry.action == "analysis.feedback" and entry.before == {"feedback": ENGINE_FEEDBACK}
    # A second edit keeps the engine's original, not the first edit.
    again = m.admin.update_feedback(team["admin"], p.id, a.id, items[:1])
    assert again.details["feedback_original"] == ENGINE_FEEDBACK and len(again.feedback) == 1
    assert m.admin.update_feedback(coach, p.id, a.id, items[:1]) == again  # unchanged: no write
    for bad, field in (
        ([{**items[0], "priority": 5}], "priority_0"),
        ([{**items[0], "recommendation": " "}], "recommendation_0"),
        ([{**items[0], "aspect": "x" * 81}], "aspect_0"),
        ([items[0]] * 21, "feedback"),
    ):
        with pytest.raises(ValidationError) as e:
            m.admin.update_feedback(coach, p.id, a.id, bad)
        assert e.value.field == field
    with pytest.raises(NotAllowed):
        m.admin.update_feedback(p, p.id, a.id, items)
    with pytest.raises(NotFound):
        m.admin.update_feedback(team["other_coach"], p.id, a.id, items)
    # Reviewed, and back.
    reviewed = m.admin.mark_reviewed(coach, p.id, a.id)
    assert reviewed.details["reviewed_by"] == coach.id and reviewed.details["reviewed_at"]
    assert m.analyses.latest_for_video_system(video).details["reviewed_by"] == coach.id
    assert audit_for(m, "analysis", a.id)[0].action == "analysis.review"
    back = m.admin.mark_reviewed(coach, p.id, a.id, reviewed=False)
    assert "reviewed_by" not in back.details and "reviewed_at" not in back.details
    assert back.details["feedback_original"] == ENGINE_FEEDBACK
    entry = audit_for(m, "analysis", a.id)[0]
    assert entry.action == "analysis.unreview" and entry.before["reviewed_by"] == coach.id
    n = len(audit_for(m, "analysis", a.id))
    assert m.admin.mark_reviewed(coach, p.id, a.id, reviewed=False) == back  # nothing to undo
    assert len(audit_for(m, "analysis", a.id)) == n
    with pytest.raises(NotAllowed):
        m.admin.mark_reviewed(p, p.id, a.id)
    with pytest.raises(NotFound):
        m.admin.mark_reviewed(team["other_coach"], p.id, a.id)


def test_admin_recomputes_a_players_progress(m, team):
    admin = team["admin"]
    p = account(m, "player", coach=team["coach"])
    record_swing(m, p, T0, score=60.0)
    record_swing(m, p, T0 + timedelta(days=2), score=70.0)
    m.db.execute("progress_delete_for_player", {"user_id": p.id})  # a load that skipped them
    m.db.refresh("progress")
    assert m.progress.between(admin, p.id, T0 - timedelta(days=1), T0 + timedelta(days=9)) == []
    assert m.admin.recompute_progress(admin, p.id) == 2
    rows = m.progress.between(admin, p.id, T0 - timedelta(days=1), T0 + timedelta(days=9))
    assert [r.progress_date.date() for r in rows] == [T0.date(), (T0 + timedelta(days=2)).date()]
    assert rows[1].metrics["face_on"]["overall_score"]["mean"] == 70.0
    entry = audit_for(m, "progress", p.id)[0]
    assert entry.action == "progress.recompute" and entry.actor_id == admin.id
    assert (entry.before, entry.after) == ({"rows": 0}, {"rows": 2})
    with pytest.raises(NotFound):
        m.admin.recompute_progress(team["coach"], p.id)
    with pytest.raises(NotFound):
        m.admin.recompute_progress(admin, team["coach"].id)  # not a player


def test_admin_listings_search_and_page(m):
    admin = account(m, "admin")
    coach = account(m, "coach", full_name="Searchable Coach_Name")
    player = account(m, "player", coach_id=coach.id, full_name="Paged Player")
    video = m.videos.create(SYSTEM, player.id, filename="a.mp4", status="failed")
    found = m.admin.users_page(admin, q="coach_name").rows
    assert [u.id for u in found] == [coach.id]
    # LIKE's metacharacters in a search stand for one character, not for "anything".
    assert coach.id not in [u.id for u in m.admin.users_page(admin, q="zz%zz").rows]
    assert [u.id for u in m.admin.users_page(admin, q="coach%name").rows] == [coach.id]
    videos = m.admin.videos_page(admin, status="failed", player_id=player.id)
    assert [r.record.id for r in videos.rows] == [video.id] and videos.rows[0].player == player
    rerun = m.admin.rerun_analysis(admin, player.id, video.id)
    assert rerun.status == "uploaded"
    assert m.audit.page(admin, target_type="video", target_id=video.id).entries[0].action == (
        "video.rerun"
    )


def test_a_save_from_a_form_opened_before_another_save_is_refused(m, team):
    """The feedback and settings forms carry form_version of what they were built from: a save
    made with an older one is Changed and writes nothing."""
    coach = team["coach"]
    p = account(m, "player", coach=coach)
    video = record_swing(m, p, T0)
    a = analyse(m, video, 64.0, at=T0 + timedelta(hours=1), feedback=ENGINE_FEEDBACK)
    opened = form_version(a.feedback)
    item = {"index": 0, **{k: ENGINE_FEEDBACK[0][k] for k in ("aspect", "recommendation")}}
    first = m.admin.update_feedback(
        coach, p.id, a.id, [{**item, "finding": "one", "priority": 1}], version=opened
    )
    with pytest.raises(Changed) as e:
        m.admin.update_feedback(
            coach, p.id, a.id, [{**item, "finding": "two", "priority": 1}], version=opened
        )
    assert "changed since you opened it" in str(e.value)
    assert m.admin.analysis(coach, p.id, a.id).feedback == first.feedback
    m.admin.update_feedback(
        coach, p.id, a.id, [{**item, "finding": "two", "priority": 1}],
        version=form_version(first.feedback),
    )  # fmt: skip
    assert m.admin.analysis(coach, p.id, a.id).feedback[0]["finding"] == "two"

    opened = form_version(p.settings)
    banded = m.admin.update_player_settings(
        coach, p.id, handedness="right", view="face-on",
        targets={"tempo_ratio": ("2.8", "3.2")}, version=opened,
    )  # fmt: skip
    with pytest.raises(Changed):
        m.admin.update_player_settings(
            coach, p.id, handedness="left", view="face-on", targets={}, version=opened
        )
    assert m.users.get(p.id).settings == banded.settings
