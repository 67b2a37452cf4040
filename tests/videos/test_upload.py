"""Uploads from the player page: coach for a player, player for themselves; all or nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store

from . import media


def upload_file(path, name=None, content_type="video/mp4"):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


def url(player):
    return f"/players/{player.id}/upload/"


def test_a_coach_uploads_several_swings_for_a_player(team, login_client, media_dir, mgr):
    c = login_client(team.coach)
    r = c.get(url(team.player))
    assert r.status_code == 200
    assert b"Upload swings for" in r.content and b'name="file"' in r.content
    r = c.post(
        url(team.player),
        {
            "file": [upload_file(media_dir / "swing.mp4"), upload_file(media_dir / "rotated.mp4")],
            "club": "7-iron",
            "view": "face-on",
        },
    )
    assert r.status_code == 302 and r["Location"] == url(team.player)
    videos = mgr.videos.for_player(SYSTEM, team.player.id)
    assert sorted(v.filename for v in videos) == ["rotated.mp4", "swing.mp4"]
    for v in videos:
        assert v.status == "uploaded"
        assert v.blob_ref.startswith(f"local://raw/{team.player.id}/{v.id}/")
        assert get_store().exists(v.blob_ref)
        assert v.metadata["club"] == "7-iron" and v.metadata["view"] == "face-on"
        assert v.metadata["frame_count"] == 12 and v.metadata["codec"] == "h264"
        assert v.metadata["source"] == "web" and v.metadata["uploaded_by"] == team.coach.id
        assert v.duration_s == pytest.approx(0.4, abs=1e-3)
    rotated = next(v for v in videos if v.filename == "rotated.mp4")
    assert (rotated.metadata["width"], rotated.metadata["height"]) == (48, 64)
    assert rotated.metadata["rotation"] == 90
    # The stored bytes are the uploaded bytes.
    with get_store().open(rotated.blob_ref) as fh:
        assert fh.read() == (media_dir / "rotated.mp4").read_bytes()
    page = c.get(url(team.player))
    assert b"rotated.mp4" in page.content and b"uploaded" in page.content


def test_a_player_uploads_for_themselves_with_a_pose_file(team, login_client, media_dir, mgr):
    c = login_client(team.player)
    r = c.post(
        url(team.player),
        {
            "file": upload_file(media_dir / "swing.mp4"),
            "pose_file": SimpleUploadedFile("poses.csv", media.pose_csv(12), "text/csv"),
            "capture_fps": "240",
        },
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()["videos"][0]
    assert body["status"] == "uploaded" and body["has_pose_file"] is True
    assert "pose_ref" not in body["metadata"]
    video = mgr.videos.get(team.player, team.player.id, body["id"])
    assert video.metadata["capture_fps"] == 240.0
    assert video.metadata["pose_frames"] == 12 and video.metadata["pose_filename"] == "poses.csv"
    pose_ref = video.metadata["pose_ref"]
    assert pose_ref.startswith(f"local://poses/{team.player.id}/{video.id}/")
    with get_store().open(pose_ref) as fh:
        assert fh.read() == media.pose_csv(12)


def test_the_real_golfdb_clip_uploads(team, login_client, mgr):
    c = login_client(team.coach)
    r = c.post(
        url(team.player),
        {"file": upload_file(media.GOLFDB_VIDEO, "golfdb.mp4")},
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 201, r.content
    meta = r.json()["videos"][0]["metadata"]
    assert (meta["width"], meta["height"], meta["frame_count"]) == (354, 492, 264)
    assert meta["fps"] == pytest.approx(29.97, abs=0.01) and meta["has_audio"] is True


def test_nobody_uploads_for_a_player_they_cannot_see(team, login_client, media_dir, state):
    before = state()
    for user, player in [
        (team.other_coach, team.player),
        (team.other_player, team.player),
        (team.player, team.other_player),
    ]:
        c = login_client(user)
        assert c.get(url(player)).status_code == 404
        r = c.post(url(player), {"file": upload_file(media_dir / "swing.mp4")})
        assert r.status_code == 404
    assert state() == before


def test_the_upload_needs_a_csrf_token(team, login_client, media_dir, state):
    logged_in = login_client(team.coach)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = logged_in.cookies
    before = state()
    r = strict.post(url(team.player), {"file": upload_file(media_dir / "swing.mp4")})
    assert r.status_code == 403
    assert state() == before


def test_a_failed_row_insert_removes_the_blob(
    team, login_client, media_dir, state, monkeypatch, upload_tmp
):
    from swingvision.db import DatabaseUnavailable
    from swingvision.db.managers.videos import Videos

    def broken(*args, **kwargs):
        raise DatabaseUnavailable("the database went away mid-upload")

    c = login_client(team.coach)
    before = state()
    monkeypatch.setattr(Videos, "create", broken)
    r = c.post(url(team.player), {"file": upload_file(media_dir / "swing.mp4")})
    assert r.status_code == 503
    assert state() == before
    assert list(upload_tmp.iterdir()) == []


def test_the_second_video_failing_undoes_the_first(team, login_client, media_dir, state):
    """Several videos in one form post: one bad file and none is stored."""
    c = login_client(team.coach)
    before = state()
    r = c.post(
        url(team.player),
        {
            "file": [
                upload_file(media_dir / "swing.mp4"),
                SimpleUploadedFile("notes.mp4", b"not a video at all\n" * 50, "video/mp4"),
            ]
        },
    )
    assert r.status_code == 400
    assert b"notes.mp4: not a video file" in r.content
    assert state() == before


def test_the_player_page_links_to_the_upload_and_shows_expiry(team, login_client, media_dir):
    c = login_client(team.coach)
    c.post(url(team.player), {"file": upload_file(media_dir / "swing.mp4")})
    page = c.get(f"/players/{team.player.id}/").content.decode()
    assert f'href="/players/{team.player.id}/upload/"' in page
    assert 'hx-get="/players/' in page and 'id="upload-slot"' in page
    assert "video until" in page
    panel = c.get(url(team.player), HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith('<section class="card upload" id="upload-panel"')
    assert "js/upload.js" in panel
