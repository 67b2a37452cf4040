"""Issue 19, finding 4: the file count and the total size of an upload request are enforced while
the body streams in, for the page and the API: the parser stops at the first part over a limit,
so what reaches temporary storage is bounded by the limits, not by what the client sends."""

from __future__ import annotations

import pytest
from django.test import Client

from swingvision.db.managers import SYSTEM
from swingvision.videos import validation

from . import media

MB = 1024 * 1024


@pytest.fixture
def written(monkeypatch):
    """Bytes the upload handler wrote to temporary files, per request (in order)."""
    seen: list[int] = []
    original = validation.LimitedUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        original(self, raw_data, start)
        seen.append(len(raw_data))

    monkeypatch.setattr(validation.LimitedUploadHandler, "receive_data_chunk", counting)
    return seen


def post(endpoint, parts):
    client, url, headers = endpoint
    body, ctype = media.multipart(parts)
    return client.generic("POST", url, body, content_type=ctype, **headers), len(body)


def _files(n: int, size: int) -> list[tuple]:
    return [("file", f"v{i}.mp4", "video/mp4", bytes([i % 251]) * size) for i in range(n)]


def test_the_file_after_the_last_allowed_one_stops_the_upload(
    endpoint, team, mgr, upload_tmp, written
):
    client, url, _ = endpoint
    allowed = 1 if url.startswith("/api/") else validation.MAX_FILES_PER_REQUEST
    r, sent = post(endpoint, _files(60, MB))  # the report's attack, scaled down: 60 parts
    assert r.status_code == 400, r.content
    assert r.json()["field"] == "file"
    assert (
        "one video per request" in r.json()["error"]
        if allowed == 1
        else f"at most {allowed} videos" in r.json()["error"]
    )
    # Only the allowed files were written; the 59 MB behind them were never stored.
    assert sum(written) == allowed * MB, (sum(written), sent)
    assert list(upload_tmp.iterdir()) == []
    assert mgr.videos.for_player(SYSTEM, team.player.id) == []


def test_the_total_size_stops_the_upload_at_the_first_file_past_it(
    endpoint, team, mgr, settings, upload_tmp, written
):
    client, url, _ = endpoint
    if url.startswith("/api/"):
        pytest.skip("the API takes one video per request: its total is one file's limit")
    settings.SWINGVISION_MAX_UPLOAD_MB = 1
    settings.SWINGVISION_MAX_REQUEST_MB = 2
    r, sent = post(endpoint, _files(5, 900 * 1024))  # each under 1 MB, 4.4 MB in all
    assert r.status_code == 413, r.content
    assert "pass 2 MB in all at v2.mp4" in r.json()["error"]
    assert sum(written) <= 2 * MB < sent
    assert list(upload_tmp.iterdir()) == []
    assert mgr.videos.for_player(SYSTEM, team.player.id) == []


def test_a_body_declared_over_the_total_is_not_read(endpoint, team, mgr, settings, written):
    settings.SWINGVISION_MAX_UPLOAD_MB = 1
    settings.SWINGVISION_MAX_REQUEST_MB = 1
    r, sent = post(endpoint, _files(1, 12 * MB))  # over the total plus the form fields' 10 MB
    assert r.status_code == 413, r.content
    assert "one request takes at most 1 MB of files" in r.json()["error"]
    assert written == []
    assert mgr.videos.for_player(SYSTEM, team.player.id) == []


def test_a_second_pose_file_stops_the_upload(endpoint, team, mgr, media_dir, written):
    video = (media_dir / "swing.mp4").read_bytes()
    pose = media.pose_csv(12)
    parts = [
        ("file", "swing.mp4", "video/mp4", video),
        ("pose_file", "a.csv", "text/csv", pose),
        ("pose_file", "b.csv", "text/csv", pose * 50),
    ]
    r, _ = post(endpoint, parts)
    assert r.status_code == 400 and r.json()["field"] == "pose_file", r.content
    assert sum(written) == len(video) + len(pose)
    assert mgr.videos.for_player(SYSTEM, team.player.id) == []


def test_the_pose_endpoint_takes_no_video_file(team, token_for, mgr, written):
    """Attaching a pose file: a `file` part is skipped, never written."""
    video = mgr.videos.create(SYSTEM, team.player.id, filename="a.mp4", status="uploaded")
    body, ctype = media.multipart([("file", "big.mp4", "video/mp4", b"\0" * MB)])
    r = Client().generic(
        "POST",
        f"/api/v1/players/{team.player.id}/videos/{video.id}/poses",
        body,
        content_type=ctype,
        HTTP_AUTHORIZATION=f"Bearer {token_for(team.coach)}",
    )
    assert r.status_code == 400 and r.json()["field"] == "pose_file", r.content
    assert written == []
