"""The JSON API and its tokens: create, read, attach poses; tokens revoked and scoped."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client

from analysis.engine.pose import SWING_EMBEDDING_DIM
from swingvision.db.managers import SYSTEM
from swingvision.db.managers.tokens import hash_token
from swingvision.storage import get_store

from . import media


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def create(client, player, data: bytes, *, headers, name="swing.mp4", extra=()):
    body, ctype = media.multipart([*extra, ("file", name, "video/mp4", data)])
    return client.generic(
        "POST", f"/api/v1/players/{player.id}/videos", body, content_type=ctype, **headers
    )


def test_create_read_and_list_with_a_token(team, token_for, media_dir, mgr):
    token = token_for(team.coach)
    c = Client()
    r = create(
        c,
        team.player,
        (media_dir / "swing.mp4").read_bytes(),
        headers=bearer(token),
        extra=[("club", "Driver"), ("view", "down-the-line")],
    )
    assert r.status_code == 201, r.content
    video = r.json()["video"]
    assert r["Location"] == f"/api/v1/players/{team.player.id}/videos/{video['id']}"
    assert video["status"] == "uploaded" and video["player_id"] == team.player.id
    assert video["metadata"]["club"] == "Driver"
    assert video["metadata"]["view"] == "down-the-line"
    assert video["metadata"]["source"] == "api"
    assert video["raw_video_available"] is True and video["raw_video_expires_at"]
    assert "blob_ref" not in video and "pose_ref" not in video["metadata"]

    r = c.get(r["Location"], **bearer(token))
    assert r.status_code == 200
    assert r.json() == {"video": video, "analysis": None}

    r = c.get(f"/api/v1/players/{team.player.id}/videos?limit=5", **bearer(token))
    assert r.status_code == 200
    assert video["id"] in [v["id"] for v in r.json()["videos"]]
    assert r.json()["total"] >= 1


def test_status_and_latest_analysis(team, token_for, media_dir, mgr):
    token = token_for(team.player)
    c = Client()
    r = create(c, team.player, (media_dir / "swing.mp4").read_bytes(), headers=bearer(token))
    vid = r.json()["video"]["id"]
    video = mgr.videos.get(SYSTEM, team.player.id, vid)
    assert mgr.videos.transition(video, "uploaded", "processing")
    r = c.get(f"/api/v1/players/{team.player.id}/videos/{vid}", **bearer(token))
    assert r.json()["video"]["status"] == "processing" and r.json()["analysis"] is None
    mgr.analyses.save(
        video,
        engine_version="test-1",
        overall_score=71.5,
        metrics={"tempo_ratio": 3.1},
        events={"top": 5},
        feedback=[{"aspect": "tempo", "finding": "3.1", "recommendation": "ok", "priority": 1}],
        details={},
        swing_embedding=np.zeros(SWING_EMBEDDING_DIM, np.float32),
    )
    assert mgr.videos.transition(video, "processing", "analyzed")
    got = c.get(f"/api/v1/players/{team.player.id}/videos/{vid}", **bearer(token)).json()
    assert got["video"]["status"] == "analyzed"
    assert got["analysis"]["overall_score"] == pytest.approx(71.5)
    assert got["analysis"]["metrics"] == {"tempo_ratio": 3.1}
    assert got["analysis"]["engine_version"] == "test-1"


def test_tokens_are_stored_hashed_and_shown_once(team, login_client, mgr, gateway):
    c = login_client(team.player)
    page = c.get("/settings/")
    assert page.status_code == 200 and b"API tokens" in page.content
    r = c.post("/settings/tokens/", {"name": "range iPad"})
    # POST-redirect-GET: a reload of the page showing the token does not post (create) again.
    assert r.status_code == 302 and r["Location"] == "/settings/#new-token"
    r = c.get("/settings/")
    html = r.content.decode()
    start = html.index("svt_")
    raw = html[start : html.index("<", start)]
    assert r["Cache-Control"] == "no-store"
    stored = gateway.run_sql("SELECT token_hash FROM api_tokens WHERE name = 'range iPad'")
    assert stored == [(hash_token(raw),)]
    assert raw not in repr(gateway.run_sql("SELECT * FROM api_tokens"))
    # Shown once: the reload shows the list (one token) without the secret, and the session no
    # longer holds it.
    again = c.get("/settings/").content.decode()
    assert raw not in again
    assert "svt_" not in again
    assert again.count("<td>range iPad</td>") == 1
    assert len(mgr.tokens.for_user(team.player)) == 1
    assert raw not in repr(gateway.run_sql("SELECT * FROM sessions"))
    r = Client().get(f"/api/v1/players/{team.player.id}/videos", **bearer(raw))
    assert r.status_code == 200
    assert mgr.tokens.for_user(team.player)[0].last_used_at is not None


def test_a_revoked_token_gets_401(team, login_client, token_for, mgr, media_dir, state):
    c = login_client(team.coach)
    c.post("/settings/tokens/", {"name": "script"})
    token = next(t for t in mgr.tokens.for_user(team.coach) if t.name == "script")
    raw = token_for(team.coach, "kept")
    api = Client()
    url = f"/api/v1/players/{team.player.id}/videos"
    # Revoke through the settings page: the token stops working at once.
    r = c.post(f"/settings/tokens/{token.id}/revoke/")
    assert r.status_code == 302
    assert mgr.tokens.get(team.coach, token.id).revoked_at is not None
    revoked_raw = token_for(team.coach, "to revoke")
    revoked = next(t for t in mgr.tokens.for_user(team.coach) if t.name == "to revoke")
    assert api.get(url, **bearer(revoked_raw)).status_code == 200
    c.post(f"/settings/tokens/{revoked.id}/revoke/")
    before = state()
    r = api.get(url, **bearer(revoked_raw))
    assert r.status_code == 401 and "revoked" in r.json()["error"]
    assert r["WWW-Authenticate"].startswith("Bearer")
    r = create(
        api, team.player, (media_dir / "swing.mp4").read_bytes(), headers=bearer(revoked_raw)
    )
    assert r.status_code == 401
    assert state() == before
    assert api.get(url, **bearer(raw)).status_code == 200  # the other token still works
    # A user cannot revoke someone else's token.
    other = login_client(team.other_coach)
    kept = next(t for t in mgr.tokens.for_user(team.coach) if t.name == "kept")
    assert other.post(f"/settings/tokens/{kept.id}/revoke/").status_code == 404
    assert api.get(url, **bearer(raw)).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer svt_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "svt_missing-scheme",
        "Bearer x",
    ],
)
def test_bad_authorization_headers_get_401(team, header):
    r = Client().get(f"/api/v1/players/{team.player.id}/videos", HTTP_AUTHORIZATION=header)
    assert r.status_code == 401
    assert r.json()["error"]


def test_no_credentials_get_401_not_a_login_redirect(team):
    r = Client().get(f"/api/v1/players/{team.player.id}/videos")
    assert r.status_code == 401 and "authentication required" in r.json()["error"]


def test_a_token_reaches_only_its_users_data(team, token_for, media_dir, mgr, state):
    theirs = mgr.videos.create(
        SYSTEM, team.other_player.id, filename="theirs.mp4", metadata={"frame_count": 12}
    )
    api = Client()
    for user in (team.coach, team.player):
        headers = bearer(token_for(user))
        base = f"/api/v1/players/{team.other_player.id}/videos"
        before = state()
        assert api.get(base, **headers).status_code == 404
        assert api.get(f"{base}/{theirs.id}", **headers).status_code == 404
        r = create(api, team.other_player, (media_dir / "swing.mp4").read_bytes(), headers=headers)
        assert r.status_code == 404
        body, ctype = media.multipart([("pose_file", "p.csv", "text/csv", media.pose_csv(12))])
        r = api.generic("POST", f"{base}/{theirs.id}/poses", body, content_type=ctype, **headers)
        assert r.status_code == 404
        assert api.get(f"{base}/{theirs.id}/video", **headers).status_code == 404
        # The video id alone does not help under one's own player either.
        own = f"/api/v1/players/{team.player.id}/videos/{theirs.id}"
        assert api.get(own, **headers).status_code == 404
        assert state() == before
    # A token does not open the HTML pages: those stay behind the login.
    r = api.get(f"/players/{team.player.id}/", **bearer(token_for(team.coach)))
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_session_writes_to_the_api_need_csrf(team, login_client, media_dir, state):
    session = login_client(team.coach)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = session.cookies
    before = state()
    r = create(strict, team.player, (media_dir / "swing.mp4").read_bytes(), headers={})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    assert state() == before
    token = strict.get(f"/players/{team.player.id}/upload/").cookies["csrftoken"].value
    r = create(
        strict,
        team.player,
        (media_dir / "swing.mp4").read_bytes(),
        headers={"HTTP_X_CSRFTOKEN": token},
    )
    assert r.status_code == 201
    # Reads with the session need no token.
    assert strict.get(f"/api/v1/players/{team.player.id}/videos").status_code == 200


def _attach(client, player, vid, data, headers, name="poses.csv"):
    body, ctype = media.multipart([("pose_file", name, "text/csv", data)])
    return client.generic(
        "POST",
        f"/api/v1/players/{player.id}/videos/{vid}/poses",
        body,
        content_type=ctype,
        **headers,
    )


def test_attach_a_pose_file_and_requeue(team, token_for, media_dir, mgr, state):
    headers = bearer(token_for(team.coach))
    api = Client()
    r = create(api, team.player, (media_dir / "swing.mp4").read_bytes(), headers=headers)
    vid = r.json()["video"]["id"]
    # Waiting for the worker: the pose file is attached, the status stays uploaded.
    r = _attach(api, team.player, vid, media.pose_csv(12), headers)
    assert r.status_code == 200, r.content
    assert r.json()["video"]["status"] == "uploaded" and r.json()["video"]["has_pose_file"]
    first_ref = mgr.videos.get(SYSTEM, team.player.id, vid).metadata["pose_ref"]
    assert get_store().exists(first_ref)
    # A pose file of another clip is refused and changes nothing.
    before = state()
    r = _attach(api, team.player, vid, media.pose_csv(30), headers)
    assert r.status_code == 400 and r.json()["field"] == "pose_file"
    assert "30 frames but the video has 12" in r.json()["error"]
    assert state() == before
    # Being processed: 409, nothing changes.
    video = mgr.videos.get(SYSTEM, team.player.id, vid)
    assert mgr.videos.transition(video, "uploaded", "processing")
    before = state()
    r = _attach(api, team.player, vid, media.pose_csv(12), headers)
    assert r.status_code == 409 and "being analysed" in r.json()["error"]
    assert state() == before
    # Failed: attaching queues it again, clears the error and replaces the old pose blob.
    failed = mgr.videos.update(
        mgr.videos.get(SYSTEM, team.player.id, vid),
        status="failed",
        metadata={**video.metadata, "error": "no person found"},
    )
    r = _attach(api, team.player, vid, media.pose_csv(12), headers, name="better.csv")
    assert r.status_code == 200
    now = mgr.videos.get(SYSTEM, team.player.id, vid)
    assert now.status == "uploaded" and "error" not in now.metadata
    assert now.metadata["pose_filename"] == "better.csv"
    assert now.metadata["pose_ref"] != first_ref
    assert not get_store().exists(first_ref) and get_store().exists(now.metadata["pose_ref"])
    assert failed.metadata["error"] == "no person found"
    # Expired: refused.
    mgr.videos.update(now, status="expired", blob_ref=None)
    r = _attach(api, team.player, vid, media.pose_csv(12), headers)
    assert r.status_code == 409 and "expired" in r.json()["error"]


def test_list_paging_and_bad_parameters(team, token_for):
    headers = bearer(token_for(team.coach))
    base = f"/api/v1/players/{team.player.id}/videos"
    r = Client().get(f"{base}?limit=lots", **headers)
    assert r.status_code == 400 and r.json() == {
        "error": "must be a whole number from 0 to 200",
        "field": "limit",
    }
    assert Client().get(f"{base}?offset=-1", **headers).status_code == 400
    r = Client().delete(base, **headers)
    assert r.status_code == 405 and r["Allow"] == "GET, POST"
