"""Admin data edits, coach edits of their players' settings and feedback, one's own profile: each
edit validated with a message naming the field, written through the managers, audited with who,
what, when, before and after; and nobody but an admin changes anything through an admin URL."""

from __future__ import annotations

import hashlib
import html
import io
import re

import pytest
from django.utils.text import slugify

from swingvision.db.managers import SYSTEM
from swingvision.db.managers.admin import form_version
from swingvision.storage import StorageError, get_store, video_key

from .test_access_matrix import fill, iter_routes

HX = {"HX-Request": "true"}


def audit_for(mgr, target_id: str) -> list:
    return mgr.audit.page(SYSTEM, target_id=target_id, limit=100).entries


def fingerprint(gateway) -> str:
    """A digest of every domain row and the audit log (sessions aside: logins write those)."""
    h = hashlib.sha256()
    for table in ("users", "user_logins", "videos", "poses", "swing_analysis", "progress"):
        h.update(repr(gateway.run_sql(f"SELECT * FROM {table} ORDER BY 1, 2")).encode())
    h.update(repr(gateway.run_sql("SELECT * FROM audit_log ORDER BY id")).encode())
    return h.hexdigest()


@pytest.fixture
def team(make_user):
    coach = make_user("coach", name="Cora Coach")
    other_coach = make_user("coach", name="Otto Coach")
    player = make_user("player", coach=coach, name="Pia Player")
    admin = make_user("admin", name="Adam Admin")
    return coach, other_coach, player, admin


def add_swing(mgr, player, *, with_blob: bool = True):
    video = mgr.videos.create(SYSTEM, player.id, filename="drive.mp4", status="uploaded")
    changes = {"status": "analyzed", "metadata": {"view": "face-on", "fps": 30.0}}
    if with_blob:
        store = get_store()
        ref = store.put(video_key(player.id, video.id, "drive.mp4"), io.BytesIO(b"v" * 64))
        pose_ref = store.put(
            video_key(player.id, video.id, "poses.csv", kind="poses"), io.BytesIO(b"p")
        )
        changes.update(blob_ref=ref, metadata={**changes["metadata"], "pose_ref": pose_ref})
    video = mgr.videos.update(video, **changes)
    import numpy as np

    mgr.poses.write_video_poses(video, np.full((5, 33, 4), 0.5, dtype=np.float32), 30.0)
    analysis = mgr.analyses.save(
        video,
        engine_version="t1",
        overall_score=64.0,
        metrics={"tempo_ratio": 3.4},
        events={},
        feedback=[
            {
                "aspect": "tempo_ratio",
                "finding": "Tempo 3.4:1 is slow.",
                "recommendation": "Quicker backswing.",
                "priority": 1,
                "metric_value": 3.4,
            }
        ],
        details={},
        swing_embedding=None,
    )
    mgr.progress.recompute_player(player.id)
    return video, analysis


# -- admin edits, audited -----------------------------------------------------------------------
def test_admin_creates_a_user_and_the_log_says_so(team, login_client, mgr):
    coach, _, _, admin = team
    c = login_client(admin)
    r = c.post(
        "/admin/users/",
        {
            "username": "newplayer_x1",
            "email": "np_x1@example.com",
            "role": "player",
            "coach_id": coach.id,
            "full_name": "Nina New",
        },
    )
    assert r.status_code == 200
    password = r.context["generated_password"]
    assert password and password.encode() in r.content
    user = mgr.users.by_login("newplayer_x1")
    assert user.coach_id == coach.id and user.role == "player"
    assert mgr.users.authenticate("newplayer_x1", password) is not None
    (entry,) = audit_for(mgr, user.id)
    assert entry.action == "user.create" and entry.actor_id == admin.id
    assert entry.after["username"] == "newplayer_x1" and "password_hash" not in entry.after


def test_inline_role_and_coach_edits_are_audited_before_and_after(team, login_client, mgr):
    coach, other_coach, player, admin = team
    c = login_client(admin)
    r = c.post(f"/admin/users/{player.id}/", {"coach_id": other_coach.id}, headers=HX)
    assert r.status_code == 200
    assert r.content.lstrip().startswith(b'<tr id="user-')  # the row partial, for the swap
    assert b"Saved" in r.content
    assert mgr.users.get(player.id).coach_id == other_coach.id
    entry = audit_for(mgr, player.id)[0]
    assert entry.action == "user.update" and entry.actor_id == admin.id
    assert entry.before == {"coach_id": coach.id} and entry.after == {"coach_id": other_coach.id}
    assert entry.at is not None
    # A player made a coach loses their coach in the same edit.
    c.post(f"/admin/users/{player.id}/", {"role": "coach"}, headers=HX)
    moved = mgr.users.get(player.id)
    assert moved.role == "coach" and moved.coach_id is None
    entry = audit_for(mgr, player.id)[0]
    assert entry.before == {"role": "player", "coach_id": other_coach.id}
    assert entry.after == {"role": "coach", "coach_id": None}
    page = c.get("/admin/audit/", {"target": player.id})
    assert page.status_code == 200 and admin.username.encode() in page.content
    assert b"user.update" in page.content


def test_deactivating_ends_the_users_sessions(team, login_client, mgr):
    _, _, player, admin = team
    player_client = login_client(player)
    assert player_client.get(f"/players/{player.id}/settings/").status_code == 200
    r = login_client(admin).post(f"/admin/users/{player.id}/", {"active": "0"})
    assert r.status_code == 302
    assert mgr.users.get(player.id).active is False
    assert player_client.get(f"/players/{player.id}/settings/").status_code == 302
    assert audit_for(mgr, player.id)[0].after == {"active": False}


def test_password_reset_generates_one_and_ends_sessions(team, login_client, mgr):
    _, _, player, admin = team
    player_client = login_client(player)
    r = login_client(admin).post(f"/admin/users/{player.id}/password/", {"password": ""})
    assert r.status_code == 200
    new = r.context["generated_password"]
    assert mgr.users.authenticate(player.username, new) is not None
    assert player_client.get("/profile/").status_code == 302
    entry = audit_for(mgr, player.id)[0]
    assert entry.action == "user.password_reset" and new not in repr(entry.after)


def test_video_status_edit_rerun_and_delete(team, login_client, mgr, gateway):
    _, _, player, admin = team
    video, analysis = add_swing(mgr, player)
    store = get_store()
    c = login_client(admin)
    r = c.post(f"/admin/videos/{player.id}/{video.id}/", {"status": "failed"}, headers=HX)
    assert r.status_code == 200 and b'<tr id="video-' in r.content
    assert mgr.videos.get(admin, player.id, video.id).status == "failed"
    r = c.post(f"/admin/videos/{player.id}/{video.id}/rerun/")
    assert r.status_code == 302
    assert mgr.videos.get(admin, player.id, video.id).status == "uploaded"
    rerun = audit_for(mgr, video.id)[0]
    assert rerun.action == "video.rerun" and "worker picks up uploaded" in rerun.after["note"]
    # Already queued: refused with a message naming the field, nothing changes.
    r = c.post(f"/admin/videos/{player.id}/{video.id}/rerun/")
    assert r.status_code == 400 and b"already waiting for analysis" in r.content
    # Delete: the blobs, poses, analyses, the row and the derived progress rows all go.
    assert store.exists(video.blob_ref)
    r = c.post(f"/admin/videos/{player.id}/{video.id}/delete/", headers=HX)
    assert r.status_code == 200 and r.content == b""
    assert not store.exists(video.blob_ref) and not store.exists(video.metadata["pose_ref"])
    with pytest.raises(Exception, match="not found"):
        mgr.videos.get(admin, player.id, video.id)
    assert mgr.poses.count(video) == 0
    assert mgr.admin.analyses_page(admin, player_id=player.id).total == 0
    assert int(gateway.fetch_value("progress_count_for_player", {"user_id": player.id})) == 0
    deleted = audit_for(mgr, video.id)[0]
    assert deleted.action == "video.delete" and deleted.before["filename"] == "drive.mp4"


class FlakyStore:
    """Deletes the first blob, then fails: a storage outage half-way through a delete."""

    def __init__(self, real) -> None:
        self.real, self.calls = real, 0

    def delete(self, ref: str) -> None:
        self.calls += 1
        if self.calls > 1:
            raise StorageError("injected outage")
        self.real.delete(ref)


def test_a_delete_that_fails_half_way_is_finished_by_running_it_again(team, mgr):
    _, _, player, admin = team
    video, _ = add_swing(mgr, player)
    with pytest.raises(StorageError):
        mgr.admin.delete_video(admin, player.id, video.id, FlakyStore(get_store()))
    # The row (and with it everything a re-run needs) is still there.
    assert mgr.videos.get(admin, player.id, video.id).id == video.id
    assert mgr.poses.count(video) == 5
    mgr.admin.delete_video(admin, player.id, video.id, get_store())
    assert mgr.poses.count(video) == 0
    assert not get_store().exists(video.metadata["pose_ref"])


def test_progress_recompute_is_audited(team, login_client, mgr):
    _, _, player, admin = team
    add_swing(mgr, player, with_blob=False)
    r = login_client(admin).post(f"/admin/progress/{player.id}/recompute/", headers=HX)
    assert r.status_code == 200 and b"Rebuilt 1 day" in r.content
    entry = audit_for(mgr, player.id)[0]
    assert entry.action == "progress.recompute" and entry.after == {"rows": 1}


# -- validation: a message naming the field -------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "enter a valid email address"),
        ({"username": "has space"}, "username", "3-40 letters"),
        ({"role": "superuser"}, "role", "must be one of"),
        ({"full_name": "x" * 121}, "full_name", "at most 120 characters"),
        ({"full_name": "tab\x07bell"}, "full_name", "control characters"),
        ({"active": "maybe"}, "active", "must be yes or no"),
        ({"username": "", "email": "a@b.co"}, "username", "is required"),
    ],
)
def test_user_edit_validation_names_the_field(team, login_client, mgr, data, field, message):
    _, _, player, admin = team
    c = login_client(admin)
    r = c.post(f"/admin/users/{player.id}/", data, headers=HX)
    assert r.status_code == 400
    html = r.content.decode()
    assert f'id="error-{field}{player.id}"' in html and message in html
    assert mgr.users.get(player.id) == player
    assert audit_for(mgr, player.id) == []


def test_coach_choice_username_clash_and_self_lockout_are_refused(team, login_client, mgr):
    coach, _, player, admin = team
    c = login_client(admin)
    r = c.post(f"/admin/users/{player.id}/", {"coach_id": player.id})
    assert r.status_code == 400 and b"no such coach" in r.content
    r = c.post(f"/admin/users/{player.id}/", {"username": coach.username})
    assert r.status_code == 400 and b"this username is already taken" in r.content
    r = c.post(f"/admin/users/{admin.id}/", {"role": "coach"})
    assert r.status_code == 400 and b"your own admin role" in r.content
    r = c.post(f"/admin/users/{admin.id}/", {"active": "0"})
    assert r.status_code == 400 and b"deactivate your own account" in r.content
    r = c.post(f"/admin/users/{coach.id}/", {"role": "player"})
    assert r.status_code == 400 and b"still have this coach" in r.content
    assert mgr.users.get(coach.id).role == "coach"


def test_video_edit_validation(team, login_client, mgr):
    _, _, player, admin = team
    video, _ = add_swing(mgr, player, with_blob=False)
    c = login_client(admin)
    for data, message in (
        ({"status": "lost"}, b"must be one of"),
        ({"filename": "../etc/passwd"}, b"must not contain slashes"),
        ({"view": "overhead"}, b"must be one of"),
        ({"club": "c" * 41}, b"at most 40 characters"),
    ):
        r = c.post(f"/admin/videos/{player.id}/{video.id}/", data, headers=HX)
        assert r.status_code == 400 and message in r.content, data
    assert mgr.videos.get(admin, player.id, video.id) == video


# -- nobody else gets through an admin URL ------------------------------------------------------
def _admin_routes():
    return [route for route, _ in iter_routes() if route.startswith("admin/")]


HOSTILE_FORM = {
    "username": "pwned_user",
    "email": "pwned@example.com",
    "full_name": "Pwned",
    "role": "admin",
    "coach_id": "",
    "active": "0",
    "password": "a-new-password-123",
    "status": "failed",
    "filename": "pwned.mp4",
    "reviewed": "1",
}


@pytest.mark.parametrize("role", ["player", "coach", "other_coach", "other_player"])
def test_non_admins_posting_to_admin_urls_get_403_and_change_nothing(world, gateway, role):
    client = world.client(role)
    values = {
        "player_id": world.player.id,
        "user_id": world.users[role].id,  # even their own account
        "video_id": world.video.id,
        "analysis_id": world.analysis.id,
    }
    routes = _admin_routes()
    assert len(routes) >= 10
    before = fingerprint(gateway)
    for route in routes:
        for headers in ({}, HX):
            r = client.post(fill(route, values), HOSTILE_FORM, headers=headers)
            assert r.status_code == 403, (route, role, r.status_code)
    assert fingerprint(gateway) == before


def test_anonymous_posts_to_admin_urls_go_to_login(world, gateway):
    client = world.client("anonymous")
    values = {
        "player_id": world.player.id,
        "user_id": world.player.id,
        "video_id": world.video.id,
        "analysis_id": world.analysis.id,
    }
    before = fingerprint(gateway)
    for route in _admin_routes():
        r = client.post(fill(route, values), HOSTILE_FORM)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), route
    assert fingerprint(gateway) == before


def test_the_data_layer_refuses_non_admins_too(team, mgr):
    """A view that forgot its check still could not list or change anything (scope.py)."""
    from swingvision.db import NotFound

    coach, _, player, _ = team
    for call in (
        lambda: mgr.admin.users_page(coach),
        lambda: mgr.admin.videos_page(coach),
        lambda: mgr.admin.update_user(coach, player.id, {"role": "admin"}),
        lambda: mgr.admin.reset_password(coach, player.id),
        lambda: mgr.admin.recompute_progress(coach, player.id),
        lambda: mgr.audit.page(player),
    ):
        with pytest.raises(NotFound):
            call()
    assert mgr.users.get(player.id) == player


# -- coaches: their own players' settings and feedback --------------------------------------------
def test_coach_edits_their_players_settings_and_others_cannot(team, login_client, mgr):
    coach, other_coach, player, _ = team
    url = f"/players/{player.id}/settings/"
    # The player page links there for the coach, not for the player (who may only read it).
    assert (
        f'id="player-settings-link" href="{url}"'
        in login_client(coach).get(f"/players/{player.id}/").content.decode()
    )
    assert b"player-settings-link" not in login_client(player).get(f"/players/{player.id}/").content
    form = {
        "handedness": "left",
        "view": "down-the-line",
        "tempo_ratio_lo": "2.8",
        "tempo_ratio_hi": "3.2",
    }
    r = login_client(coach).post(url, form)
    assert r.status_code == 302
    settings = mgr.users.get(player.id).settings
    assert settings["handedness"] == "left" and settings["view"] == "down-the-line"
    assert settings["targets"] == {"tempo_ratio": [2.8, 3.2]}
    entry = audit_for(mgr, player.id)[0]
    assert entry.action == "player.settings" and entry.actor_id == coach.id
    assert entry.after["targets"] == {"tempo_ratio": [2.8, 3.2]}
    assert login_client(other_coach).post(url, {**form, "handedness": "right"}).status_code == 404
    player_client = login_client(player)
    page = player_client.get(url)
    assert page.status_code == 200 and b"<fieldset disabled>" in page.content
    assert player_client.post(url, {**form, "handedness": "right"}).status_code == 403
    assert mgr.users.get(player.id).settings["handedness"] == "left"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"tempo_ratio_lo": "3.5", "tempo_ratio_hi": "3.0"},
            b"Tempo, low end: must be below the high end",
        ),
        ({"tempo_ratio_lo": "abc", "tempo_ratio_hi": "3.0"}, b"Tempo, low end: must be a number"),
        ({"tempo_ratio_lo": "2.0"}, b"Tempo, high end: give both ends"),
        ({"tempo_ratio_lo": "nan", "tempo_ratio_hi": "3.0"}, b"finite number"),
        ({"handedness": "both"}, b"Handedness: must be one of"),
        # Bands outside what a swing can produce (the metric's plausible range) are refused.
        (
            {"swing_time_s_lo": "-5", "swing_time_s_hi": "-1"},
            b"Swing time, low end: must be between 0.6 and 2.4 s (what a swing can produce)",
        ),
        (
            {"shoulder_turn_deg_lo": "80", "shoulder_turn_deg_hi": "400"},
            b"Shoulder turn, high end: must be between 40 and 130 deg",
        ),
    ],
)
def test_settings_validation(team, login_client, mgr, form, message):
    coach, _, player, _ = team
    before = mgr.users.get(player.id).settings
    data = {"handedness": "right", "view": "face-on", **form}
    r = login_client(coach).post(f"/players/{player.id}/settings/", data)
    assert r.status_code == 400 and message in r.content
    assert b"_lo:" not in r.content and b"_hi:" not in r.content  # no form names shown
    assert mgr.users.get(player.id).settings == before


def test_coach_edits_feedback_keeping_the_engines_extras(team, login_client, mgr):
    coach, other_coach, player, _ = team
    _, analysis = add_swing(mgr, player, with_blob=False)
    url = f"/players/{player.id}/analyses/{analysis.id}/feedback/"
    form = {
        "form": "feedback",
        "version": form_version(analysis.feedback),
        "rows": "2",
        "index_0": "0",
        "aspect_0": "tempo_ratio",
        "finding_0": "Tempo 3.4:1 is slow.\r\nSee the top.",
        "recommendation_0": "Count 'one-and-two'.",
        "priority_0": "2",
        "aspect_1": "spine_angle_address_deg",
        "finding_1": "",
        "recommendation_1": "Weaken the left hand.",
        "priority_1": "1",
    }
    r = login_client(coach).post(url, form)
    assert r.status_code == 302, r.content[:500]
    saved = mgr.admin.analysis(coach, player.id, analysis.id)
    assert [f["aspect"] for f in saved.feedback] == [
        "spine_angle_address_deg",
        "tempo_ratio",
    ]  # priority order
    assert saved.feedback[1]["metric_value"] == 3.4  # the engine's extra key survives
    assert saved.details["feedback_edited_by"] == coach.id
    assert saved.details["feedback_original"] == analysis.feedback
    entry = audit_for(mgr, analysis.id)[0]
    assert entry.action == "analysis.feedback" and entry.before == {"feedback": analysis.feedback}
    c = login_client(coach)
    r = c.post(url, {"form": "review", "reviewed": "1", "version": _seen(c, url, "review-form")})
    assert r.status_code == 302
    assert mgr.admin.analysis(coach, player.id, analysis.id).details["reviewed_by"] == coach.id
    assert login_client(other_coach).post(url, form).status_code == 404
    assert login_client(player).post(url, form).status_code == 403
    r = login_client(coach).post(
        url, {**form, "version": form_version(saved.feedback), "index_1": "1", "priority_1": "7"}
    )
    assert (
        r.status_code == 400 and b"Feedback item 2: priority must be between 1 and 3" in r.content
    )
    assert b"Weaken the left hand." in r.content  # what was typed is kept


ONE_ITEM = {
    "form": "feedback",
    "version": "",  # set to the stored feedback's by the test
    "rows": "2",
    "index_0": "0",
    "aspect_0": "tempo_ratio",
    "finding_0": "Slow tempo.",
    "recommendation_0": "Count it.",
    "priority_0": "2",
}


@pytest.mark.parametrize(
    "change, line",
    [
        ({"recommendation_0": ""}, "Feedback item 1: recommendation is required"),
        ({"aspect_0": " "}, "Feedback item 1: aspect is required"),
        ({"finding_0": "x" * 601}, "Feedback item 1: finding must be at most 600 characters"),
        ({"finding_0": "a\x00b"}, "Feedback item 1: finding must not contain control characters"),
        ({"priority_0": "7"}, "Feedback item 1: priority must be between 1 and 3"),
        ({"priority_0": ""}, "Feedback item 1: priority must be a whole number"),
        ({"index_0": "x"}, "Feedback item 1: stored position must be a whole number"),
        # the new item (row 1) left without its aspect
        ({"finding_1": "Grip weak.", "recommendation_1": "Turn it."}, "Feedback item 2: aspect"),
        ({"rows": "x"}, "Number of items must be a whole number"),
        ({"rows": "99"}, "Number of items must be between 0 and 21"),
        (
            {  # the stored item and 20 new ones
                "rows": "21",
                **{
                    f"{k[:-2]}_{i}": v
                    for i in range(21)
                    for k, v in ONE_ITEM.items()
                    if k[-2:] == "_0" and (i == 0 or k != "index_0")
                },
            },
            "Feedback must be at most 20 items",
        ),
        # an item leaves only by its Remove box: a post without every stored item is refused
        ({"rows": "1", "index_0": ""}, "Number of items: the form did not send every item"),
        ({"rows": "0"}, "Number of items: the form did not send every item"),
        ({"aspect_0": "nope"}, "Feedback item 1: aspect must be one of the swing's metrics"),
        # a post without the form's version or its rows would have replaced the feedback with
        # nothing (outside tester: an empty POST, or a JSON body, saved "[]")
        ({"version": None}, "Form version is required"),
        ({"version": "zz"}, "Form version is not one this site wrote"),
        ({"rows": None}, "Number of items is required"),
        ({"form": "review", "reviewed": "maybe"}, "Reviewed must be yes or no"),
        ({"form": "review", "reviewed": "1", "version": None}, "Form version is required"),
    ],
)
def test_feedback_form_errors_name_fields_as_the_page_labels_them(
    team, login_client, mgr, change, line
):
    """Every error of the feedback form names its field as the page does ("Feedback item 1:
    finding ..."), never by its form name (finding_0, priority_1, rows)."""
    coach, _, player, _ = team
    _, analysis = add_swing(mgr, player, with_blob=False)
    url = f"/players/{player.id}/analyses/{analysis.id}/feedback/"
    form = {**ONE_ITEM, "version": form_version(analysis.feedback), **change}
    r = login_client(coach).post(url, {k: v for k, v in form.items() if v is not None})
    assert r.status_code == 400
    errors = [html.unescape(e) for e in re.findall(r'id="feedback-error">([^<]*)<', r.text)]
    assert len(errors) == 1 and errors[0].startswith(line), errors
    assert not re.search(
        r"\b(aspect|finding|recommendation|priority|index|rows)(_\d+)?:", errors[0]
    )
    assert mgr.admin.analysis(coach, player.id, analysis.id).feedback == analysis.feedback


FEEDBACK_FORM, SETTINGS_FORM = "feedback-form", "player-settings"


def _seen(client, url: str, form_id: str) -> str:
    """The version the review or publish form `form_id` on the page at `url` carries."""
    page = client.get(url)
    assert page.status_code == 200
    found = re.search(
        rf'id="{form_id}".*?name="version" value="([0-9a-f]+)"', page.content.decode(), re.S
    )
    assert found, f"{form_id} carries the version of what the page showed"
    return found.group(1)


def _opened(client, url, form_id: str) -> dict:
    """The form `form_id` as a tab opened it: the hidden version it was built from."""
    return {"version": _seen(client, url, form_id)}


def test_a_feedback_form_opened_before_another_tabs_save_is_refused(team, login_client, mgr):
    """Tab 1 saves finding 0; tab 2, opened before, saves finding 1: refused with 409 and the
    form re-shown saying so, tab 1's change kept (it used to be undone silently)."""
    coach, _, player, _ = team
    _, analysis = add_swing(mgr, player, with_blob=False)
    second = {**analysis.feedback[0], "aspect": "hip_turn", "finding": "Hips stall.", "priority": 2}
    analysis = mgr.analyses.update(analysis, feedback=[analysis.feedback[0], second])
    url = f"/players/{player.id}/analyses/{analysis.id}/feedback/"
    tab1, tab2 = login_client(coach), login_client(coach)
    opened1, opened2 = _opened(tab1, url, FEEDBACK_FORM), _opened(tab2, url, FEEDBACK_FORM)
    form = {"form": "feedback", "rows": "2", "index_0": "0", "index_1": "1"}
    for i, item in enumerate(analysis.feedback):
        form.update({f"{k}_{i}": str(item[k]) for k in ("aspect", "finding", "recommendation")})
        form[f"priority_{i}"] = str(item["priority"])
    r = tab1.post(url, {**form, **opened1, "finding_0": "Tab one's finding."})
    assert r.status_code == 302
    r = tab2.post(url, {**form, **opened2, "finding_1": "Tab two's finding."})
    assert r.status_code == 409
    page = r.content.decode()
    assert "changed since you opened it: reload to see the changes" in page
    assert "Tab two&#x27;s finding." in page  # what tab 2 typed is still on its form
    stored = mgr.admin.analysis(coach, player.id, analysis.id).feedback
    assert [f["finding"] for f in stored] == ["Tab one's finding.", "Hips stall."]
    # Reloaded, tab 2 saves over what tab 1 saved.
    r = tab2.post(
        url,
        {
            **form,
            **_opened(tab2, url, FEEDBACK_FORM),
            "finding_0": "Tab one's finding.",
            "finding_1": "Tab two's finding.",
        },
    )
    assert r.status_code == 302
    stored = mgr.admin.analysis(coach, player.id, analysis.id).feedback
    assert [f["finding"] for f in stored] == ["Tab one's finding.", "Tab two's finding."]


def test_a_settings_form_opened_before_another_tabs_save_is_refused(team, login_client, mgr):
    """Tab 1 saves a tempo band; tab 2, opened before, saves left-handed: refused with 409 and
    the message, the band kept (it used to be blanked silently)."""
    coach, _, player, _ = team
    url = f"/players/{player.id}/settings/"
    tab1, tab2 = login_client(coach), login_client(coach)
    opened1, opened2 = _opened(tab1, url, SETTINGS_FORM), _opened(tab2, url, SETTINGS_FORM)
    form = {"handedness": "right", "view": "face-on", "review_feedback": "1"}
    band = {"tempo_ratio_lo": "2.8", "tempo_ratio_hi": "3.2"}
    assert tab1.post(url, {**form, **band, **opened1}).status_code == 302
    r = tab2.post(url, {**form, **opened2, "handedness": "left"})
    assert r.status_code == 409
    assert b"changed since you opened it: reload to see the changes" in r.content
    settings = mgr.users.get(player.id).settings
    assert settings["targets"] == {"tempo_ratio": [2.8, 3.2]} and settings["handedness"] == "right"
    reloaded = _opened(
        tab2, url, SETTINGS_FORM
    )  # the band is on the reloaded form; left-handed saves now
    assert tab2.post(url, {**form, **band, **reloaded, "handedness": "left"}).status_code == 302
    settings = mgr.users.get(player.id).settings
    assert settings["targets"] == {"tempo_ratio": [2.8, 3.2]} and settings["handedness"] == "left"


def test_a_write_over_a_record_changed_meanwhile_is_a_409_page_not_a_500(
    team, login_client, mgr, monkeypatch
):
    """Any page write the managers refuse as Changed (a publish, a review) answers 409 asking
    to reload: the page for a form, JSON for a script."""
    from swingvision.db import Changed
    from swingvision.db.managers.admin import AdminData

    coach, _, player, _ = team
    video, analysis = add_swing(mgr, player, with_blob=False)

    def changed(*args, **kwargs):
        raise Changed("the analysis was changed by someone else since it was read")

    monkeypatch.setattr(AdminData, "publish_feedback", changed)
    c = login_client(coach)
    seen = {"version": _seen(c, f"/players/{player.id}/swings/{video.id}/", "publish-form")}
    url = f"/players/{player.id}/swings/{video.id}/publish/"
    r = c.post(url, seen)
    assert r.status_code == 409 and b"changed by someone else" in r.content
    assert b"again to see the changes" in r.content
    r = c.post(url, seen, HTTP_ACCEPT="application/json")
    assert r.status_code == 409 and "changed by someone else" in r.json()["error"]


# -- one's own profile ------------------------------------------------------------------------
def test_profile_and_password_change(team, login_client, mgr):
    _, _, player, _ = team
    other_session = login_client(player)
    c = login_client(player)
    r = c.post("/profile/", {"form": "profile", "full_name": "Pia P.", "email": "pia@example.com"})
    assert r.status_code == 302
    assert mgr.users.get(player.id).email == "pia@example.com"
    bad = {"form": "password", "current_password": "wrong-one-entirely"}
    r = c.post("/profile/", {**bad, "new_password": "x", "new_password2": "x"})
    assert r.status_code == 400 and b"is not your current password" in r.content
    for new, message in (
        ("short", b"at least 10 characters"),
        ("1234567890123", b"only digits"),
        ("password1234", b"most common passwords"),
        (f"my-{player.username}-pw", b"must not contain the username"),
    ):
        r = c.post(
            "/profile/",
            {
                "form": "password",
                "current_password": "correct-horse-battery",
                "new_password": new,
                "new_password2": new,
            },
        )
        assert r.status_code == 400 and message in r.content, new
    r = c.post(
        "/profile/",
        {
            "form": "password",
            "current_password": "correct-horse-battery",
            "new_password": "a-much-better-secret",
            "new_password2": "a-much-better-secret",
        },
    )
    assert r.status_code == 302
    assert c.get("/profile/").status_code == 200  # this browser got a fresh session
    assert other_session.get("/profile/").status_code == 302  # the others were logged out
    assert mgr.users.authenticate(player.username, "a-much-better-secret") is not None


# -- review and publish carry the version of what the coach saw -------------------------------
@pytest.mark.parametrize("change", ["feedback", "events"])
def test_publishing_what_changed_since_the_page_was_opened_is_refused(
    team, login_client, mgr, change
):
    """Tab 1 shows the swing; tab 2 edits the feedback (or a correction moves the events):
    tab 1's Publish is refused with 409 (page, htmx and JSON), nothing published; reloaded, it
    publishes what it now shows."""
    coach, _, player, _ = team
    video, analysis = add_swing(mgr, player, with_blob=False)
    swing = f"/players/{player.id}/swings/{video.id}/"
    tab = login_client(coach)
    seen = _seen(tab, swing, "publish-form")
    if change == "feedback":
        item = {**analysis.feedback[0], "finding": "Rewritten in another tab."}
        mgr.admin.update_feedback(coach, player.id, analysis.id, [item])
    else:
        mgr.analyses.update(analysis, events={**analysis.events, "top": 99})
    url = f"{swing}publish/"
    message = "changed since you opened it: reload to see the changes"
    r = tab.post(url, {"version": seen})
    assert r.status_code == 409 and message in r.content.decode()
    # The refusal links back to the page the form was on (a GET), not the stale post again.
    r = tab.post(url, {"version": seen}, HTTP_REFERER=f"http://testserver{swing}")
    page = r.content.decode()
    assert r.status_code == 409 and f'<a href="{swing}">Open the page again</a>' in page
    assert "Nothing was done." in page and "saved" not in page
    r = tab.post(url, {"version": seen}, HTTP_REFERER=f"http://elsewhere.example{swing}")
    assert r.status_code == 409 and "Open the page again" not in r.content.decode()
    r = tab.post(url, {"version": seen}, headers=HX)
    assert r.status_code == 409 and message in r.content.decode()
    r = tab.post(url, {"version": seen}, HTTP_ACCEPT="application/json")
    assert r.status_code == 409 and message in r.json()["error"]
    stored = mgr.admin.analysis(coach, player.id, analysis.id)
    assert "published" not in stored.details
    r = tab.post(url, {"version": _seen(tab, swing, "publish-form")})
    assert r.status_code == 302
    stored = mgr.admin.analysis(coach, player.id, analysis.id)
    assert stored.details["published"]["feedback"] == stored.feedback


def test_marking_reviewed_what_changed_since_the_page_was_opened_is_refused(
    team, login_client, mgr
):
    """The feedback page's Mark reviewed and the admin list's: refused with 409 after another
    tab's edit, done with the version of the reloaded page."""
    coach, _, player, admin = team
    _, analysis = add_swing(mgr, player, with_blob=False)
    feedback = f"/players/{player.id}/analyses/{analysis.id}/feedback/"
    admin_list = f"/admin/analyses/?player={player.id}"
    row = f"analysis-{slugify(analysis.id)}"
    coach_tab, admin_tab = login_client(coach), login_client(admin)
    seen = _seen(coach_tab, feedback, "review-form")
    admin_seen = _seen(admin_tab, admin_list, row)
    item = {**analysis.feedback[0], "finding": "Rewritten in another tab."}
    mgr.admin.update_feedback(coach, player.id, analysis.id, [item])
    message = b"changed since you opened it: reload to see the changes"
    r = coach_tab.post(feedback, {"form": "review", "reviewed": "1", "version": seen})
    assert r.status_code == 409 and message in r.content
    review = f"/admin/analyses/{player.id}/{analysis.id}/review/"
    r = admin_tab.post(review, {"reviewed": "1", "version": admin_seen})
    assert r.status_code == 409 and message in r.content
    assert "reviewed_by" not in mgr.admin.analysis(coach, player.id, analysis.id).details
    fresh = _seen(coach_tab, feedback, "review-form")
    r = coach_tab.post(feedback, {"form": "review", "reviewed": "1", "version": fresh})
    assert r.status_code == 302
    assert mgr.admin.analysis(coach, player.id, analysis.id).details["reviewed_by"] == coach.id


def test_the_admin_list_answers_a_refused_review_with_its_row(team, login_client, mgr):
    """Mark reviewed from the admin list (htmx) after another tab's edit: 409 with the row as it
    now stands and the reason in it (the list's script swaps 400, 409 and 503 rows in; a 409 used
    to show nothing), and a malformed version: 400 with the row, not a whole error page."""
    coach, _, player, admin = team
    _, analysis = add_swing(mgr, player, with_blob=False)
    admin_list = f"/admin/analyses/?player={player.id}"
    row = f"analysis-{slugify(analysis.id)}"
    tab = login_client(admin)
    seen = _seen(tab, admin_list, row)
    item = {**analysis.feedback[0], "finding": "Rewritten in another tab."}
    mgr.admin.update_feedback(coach, player.id, analysis.id, [item])
    review = f"/admin/analyses/{player.id}/{analysis.id}/review/"
    r = tab.post(review, {"reviewed": "1", "version": seen}, headers=HX)
    page = html.unescape(r.text)
    assert r.status_code == 409 and page.lstrip().startswith(f'<tr id="{row}"')
    assert "The feedback was changed since you opened it: the row shows it now" in page
    assert "<html" not in page
    assert "reviewed_by" not in mgr.admin.analysis(coach, player.id, analysis.id).details
    fresh = re.search(r'name="version" value="([0-9a-f]{20})"', page).group(1)
    assert fresh != seen  # the row carries the version of what it now shows
    r = tab.post(review, {"reviewed": "1", "version": "zz"}, headers=HX)
    assert r.status_code == 400 and r.text.lstrip().startswith(f'<tr id="{row}"')
    assert "version: is not one this site wrote" in html.unescape(r.text)
    r = tab.post(review, {"reviewed": "1", "version": fresh}, headers=HX)
    assert r.status_code == 200 and "reviewed" in r.text
    assert mgr.admin.analysis(coach, player.id, analysis.id).details["reviewed_by"] == admin.id


@pytest.mark.parametrize("version", [None, "", "not-a-version", "0" * 64, "A" * 20])
def test_a_review_or_publish_without_a_good_version_is_a_400_naming_it(
    team, login_client, mgr, version
):
    coach, _, player, admin = team
    video, analysis = add_swing(mgr, player, with_blob=False)
    data = {} if version is None else {"version": version}
    publish = f"/players/{player.id}/swings/{video.id}/publish/"
    feedback = f"/players/{player.id}/analyses/{analysis.id}/feedback/"
    review = f"/admin/analyses/{player.id}/{analysis.id}/review/"
    c = login_client(coach)
    for r in (
        c.post(publish, data),
        c.post(feedback, {"form": "review", "reviewed": "1", **data}),
        login_client(admin).post(review, {"reviewed": "1", **data}),
    ):
        assert r.status_code == 400 and b"version" in r.content.lower(), r.content[:300]
    r = c.post(publish, data, HTTP_ACCEPT="application/json")
    assert r.status_code == 400 and r.json()["error"].startswith("version:")
    assert r.json()["field"] == "version"
    r = c.post(publish, data, content_type="application/json", HTTP_ACCEPT="application/json")
    assert r.status_code == 400 and r.json()["field"] == "version"
    details = mgr.admin.analysis(coach, player.id, analysis.id).details
    assert "published" not in details and "reviewed_by" not in details


def test_publish_reads_the_version_from_a_json_body(team, login_client, mgr):
    """A script publishing with a JSON body is held to the version as a form is (it used to read
    form fields only and answer 'version: is required' whatever the body said)."""
    coach, _, player, _ = team
    video, analysis = add_swing(mgr, player, with_blob=False)
    c = login_client(coach)
    swing = f"/players/{player.id}/swings/{video.id}/"
    publish = f"{swing}publish/"
    for bad in (7, ["x"], {"v": 1}):
        r = c.post(publish, {"version": bad}, content_type="application/json")
        assert r.status_code == 400 and b"version" in r.content
    r = c.post(publish, {"version": "0" * 20}, content_type="application/json")
    assert r.status_code == 409
    r = c.post(
        publish, {"version": _seen(c, swing, "publish-form")}, content_type="application/json"
    )
    assert r.status_code == 302
    assert mgr.admin.analysis(coach, player.id, analysis.id).details["published"]


@pytest.mark.parametrize("status", ["analyzed", "expired"])
def test_a_new_camera_view_analyses_the_swing_again_for_it(team, login_client, mgr, status):
    """The view decides what is measured (shoulder turn face-on, swing plane down the line): the
    admin's new view analyses the swing again at once from its stored poses, an expired swing
    too (outside re-check: the analysis for the other view stayed standing)."""
    from tests.dashboard.helpers import add_swing as analysed_swing

    _, _, player, admin = team
    video, before, _ = analysed_swing(mgr, player, seed=23, view="face-on")
    if status == "expired":
        video = mgr.videos.update(video, status="expired")
    assert before.metrics["shoulder_turn_deg"] is not None
    c = login_client(admin)
    r = c.post(f"/admin/videos/{player.id}/{video.id}/", {"view": "down-the-line"}, headers=HX)
    assert r.status_code == 200 and "Analysed again for the new camera view" in r.text
    after = mgr.analyses.latest_for_video(SYSTEM, player.id, video.id)
    assert after.id != before.id or after.analyzed_at != before.analyzed_at
    assert after.metrics["shoulder_turn_deg"] is None  # not measurable down the line
    assert after.metrics["swing_plane_deg"] is not None
    assert mgr.videos.get(SYSTEM, player.id, video.id).status == status
    # The same view again is no change: nothing analysed again.
    r = c.post(f"/admin/videos/{player.id}/{video.id}/", {"view": "down-the-line"}, headers=HX)
    assert "Analysed again" not in r.text
