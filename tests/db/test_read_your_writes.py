"""Read-your-writes through the pages: after each write a user makes (an upload, a note, an event
correction, a drawing, an admin edit, a player's settings, an API token), the next page shows it,
on every configured backend.

On CrateDB the schema's periodic refresh is switched off (refresh_interval = 0), so a listing
(a search, not a primary-key read) sees a write only if the code refreshed after it: these tests
fail where a REFRESH is missing, instead of passing by the luck of the 1 s refresh timer."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client, override_settings

from swingvision.db import get_db, reset_db
from swingvision.db.gateway import TABLES
from swingvision.db.managers import managers
from swingvision.db.managers.summaries import Summaries
from tests.backends import BACKENDS, backend_url, drop_backend, open_backend
from tests.clients import logged_in
from tests.dashboard.helpers import add_swing
from tests.factories import TEST_PASSWORD, account
from tests.videos import media


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    """The app (get_db) on a fresh database of the backend; yields its managers."""
    tmp = tmp_path_factory.mktemp(f"ryw-{request.param}")
    url = backend_url(request.param, tmp)
    db = open_backend(request.param, tmp) if request.param == "sqlite" else None
    if db is None:
        from swingvision.db.gateway import Database, parse_db_url
        from swingvision.db.migrate import migrate

        db = Database(parse_db_url(url))
        migrate(db)
        for table in TABLES:
            db.run_sql(f"ALTER TABLE {table} SET (refresh_interval = 0)")
            db.refresh(table)
    with override_settings(SWINGVISION_DB=url):
        reset_db()
        try:
            yield managers(get_db())
        finally:
            reset_db()
    drop_backend(db)


@pytest.fixture(scope="module")
def team(app):
    m = app
    coach = account(m, "coach", name="Rory Reads")
    player = account(m, "player", coach=coach, name="Pia Writes")
    admin = account(m, "admin", name="Ada Admin")
    video, analysis = add_swing(m, player, seed=11)[:2]
    return {"m": m, "coach": coach, "player": player, "admin": admin, "video": video,
            "analysis": analysis}  # fmt: skip


def swing_url(team) -> str:
    return f"/players/{team['player'].id}/swings/{team['video'].id}/"


def test_an_upload_shows_on_the_player_page_and_the_roster(team, tmp_path):
    coach, player = team["coach"], team["player"]
    c = logged_in(coach)
    path = media.make_video(tmp_path / "fresh-upload.mp4")
    with path.open("rb") as fh:
        r = c.post(f"/players/{player.id}/upload/", {"file": fh, "view": "face-on"})
    assert r.status_code == 302, _errors(r)
    assert b"fresh-upload.mp4" in c.get(f"/players/{player.id}/").content
    assert b"fresh-upload.mp4" in c.get(f"/players/{player.id}/upload/").content
    # The roster counts it: two swings now (the analysed one and the upload).
    assert Summaries(team["m"].db).for_coach(coach.id)[player.id].n_swings == 2


def test_a_note_shows_on_the_swing_page_for_the_player(team):
    text = "Hold the finish for two seconds"
    r = logged_in(team["coach"]).post(swing_url(team) + "notes/", {"text": text, "frame": "12"})
    assert r.status_code == 302
    assert text in logged_in(team["player"]).get(swing_url(team)).content.decode()


def test_an_event_correction_shows_at_once(team):
    c = logged_in(team["coach"])
    top = team["analysis"].events["top"]
    r = c.post(swing_url(team) + "events/", {"event": "top", "frame": str(top + 3)})
    assert r.status_code == 302
    events = c.get(swing_url(team) + "events/").json()
    assert events["events"]["top"] == top + 3
    row = next(x for x in events["rows"] if x["name"] == "top")
    assert row["corrected"]


def test_a_drawing_shows_in_the_next_listing(team):
    c = logged_in(team["coach"])
    shape = {
        "kind": "angle",
        "frame": 5,
        "points": [{"joint": "left_shoulder"}, {"joint": "left_elbow"}, {"joint": "left_wrist"}],
    }
    r = c.post(
        swing_url(team) + "annotations/",
        data=json.dumps(shape),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 201, r.content[:300]
    made = r.json()["annotation"]
    listed = c.get(swing_url(team) + "annotations/", HTTP_ACCEPT="application/json").json()
    assert made["id"] in json.dumps(listed)


def test_an_admin_edit_shows_in_the_lists(team):
    admin, player = team["admin"], team["player"]
    c = logged_in(admin)
    r = c.post(f"/admin/users/{player.id}/", {"full_name": "Pia Renamed"})
    assert r.status_code == 302, _errors(r)
    assert b"Pia Renamed" in c.get("/admin/users/").content
    assert b"Pia Renamed" in logged_in(team["coach"]).get("/roster/").content
    # Deactivated: the next login is refused.
    assert c.post(f"/admin/users/{player.id}/", {"active": "0"}).status_code == 302
    r = Client().post("/login/", {"username": player.username, "password": TEST_PASSWORD})
    assert r.status_code == 400  # the form again, not a redirect into the app
    assert c.post(f"/admin/users/{player.id}/", {"active": "1"}).status_code == 302


def test_player_settings_and_tokens_show_on_the_next_page(team):
    coach, player = team["coach"], team["player"]
    c = logged_in(coach)
    r = c.post(f"/players/{player.id}/settings/", {"handedness": "left", "view": "face-on"})
    assert r.status_code == 302, _errors(r)
    page = c.get(f"/players/{player.id}/settings/").content.decode()
    assert 'value="left" selected' in page or 'value="left" checked' in page
    assert team["m"].users.get(player.id).settings["handedness"] == "left"
    r = c.post("/settings/tokens/", {"name": "range camera"})
    assert r.status_code == 302, r.content[:300]
    assert b"range camera" in c.get("/settings/").content


def test_a_changed_password_works_at_the_next_login(team):
    player = team["player"]
    new = "a-brand-new-passphrase-42"
    r = logged_in(player).post(
        "/profile/",
        {"form": "password", "current_password": TEST_PASSWORD, "new_password": new,
         "new_password2": new},
    )  # fmt: skip
    assert r.status_code == 302, _errors(r)
    r = Client().post("/login/", {"username": player.username, "password": new})
    assert r.status_code == 302
    r = Client().post("/login/", {"username": player.username, "password": TEST_PASSWORD})
    assert r.status_code == 400  # the old one is refused at once
    team["m"].admin.reset_password(team["admin"], player.id, TEST_PASSWORD)


def _errors(response) -> str:
    """The error messages a form page shows (for a failing assertion's message)."""
    html = response.content.decode()
    return " | ".join(re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', html)) or html[:300]


def test_an_admin_delete_takes_the_swing_and_its_poses_from_the_next_page(team):
    m, player = team["m"], team["player"]
    video, _ = add_swing(m, player, seed=12, days_ago=2)[:2]
    assert m.poses.count(video) > 0
    r = logged_in(team["admin"]).post(f"/admin/videos/{player.id}/{video.id}/delete/")
    assert r.status_code == 302, _errors(r)
    page = logged_in(team["coach"]).get(f"/players/{player.id}/").content.decode()
    assert f"/swings/{video.id}/" not in page
    assert m.poses.count(video) == 0  # a search: deleted rows gone without waiting
