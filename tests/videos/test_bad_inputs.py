"""The bad-input corpus: each file is refused with a 4xx naming the problem, and afterwards the
database, the blob store and the temporary upload folder hold exactly what they held before."""

from __future__ import annotations

import pytest

from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store

from . import media


def _truncated(d):
    whole = (d / "swing-faststart.mp4").read_bytes()
    return whole[: len(whole) // 2]


# (id, file name, content type, bytes from media_dir, extra parts, status, field, message)
CORPUS = [
    ("empty", "swing.mp4", "video/mp4", lambda d: b"", [], 400, "file", "swing.mp4 is empty"),
    (
        "text-renamed",
        "notes.mp4",
        "video/mp4",
        lambda d: b"Coach notes: keep the head still.\n" * 40,
        [],
        400,
        "file",
        "notes.mp4: not a video file",
    ),
    (
        "truncated-mp4",
        "cut.mp4",
        "video/mp4",
        _truncated,
        [],
        400,
        "file",
        "cut.mp4: the file is truncated",
    ),
    (
        "png",
        "still.png",
        "video/mp4",
        lambda d: (d / "image.png").read_bytes(),
        [],
        400,
        "file",
        "still.png: this is an image file (png), not a video",
    ),
    (
        "audio-only",
        "voice.m4a",
        "video/mp4",
        lambda d: (d / "voice.m4a").read_bytes(),
        [],
        400,
        "file",
        "audio only",
    ),
    (
        "pose-frame-count",
        "swing.mp4",
        "video/mp4",
        lambda d: (d / "swing.mp4").read_bytes(),
        [("pose_file", "poses.csv", "text/csv", media.pose_csv(20))],
        400,
        "pose_file",
        "poses.csv has poses for 20 frames but the video has 12 frames",
    ),
    (
        "pose-not-a-pose-file",
        "swing.mp4",
        "video/mp4",
        lambda d: (d / "swing.mp4").read_bytes(),
        [("pose_file", "poses.json", "application/json", b"{not json")],
        400,
        "pose_file",
        "poses.json:",
    ),
    (
        "wrong-content-type",
        "swing.mp4",
        "text/plain",
        lambda d: (d / "swing.mp4").read_bytes(),
        [],
        415,
        "file",
        "swing.mp4 was sent as text/plain, which is not a video type",
    ),
    (
        "path-and-unicode-name",
        "../../../tmp/évil\\..\\swing ⛳ – été.mp4",
        "video/mp4",
        lambda d: b"\x00\x01junk that is no video" * 30,
        [],
        400,
        "file",
        "swing ⛳ – été.mp4: not a video file",
    ),
    (
        "bad-view",
        "swing.mp4",
        "video/mp4",
        lambda d: (d / "swing.mp4").read_bytes(),
        [("view", "from-the-sky")],
        400,
        "view",
        "must be one of: face-on, down-the-line",
    ),
    (
        "bad-capture-fps",
        "swing.mp4",
        "video/mp4",
        lambda d: (d / "swing.mp4").read_bytes(),
        [("capture_fps", "fast")],
        400,
        "capture_fps",
        "must be a number",
    ),
]


@pytest.mark.parametrize(
    ("name", "content_type", "data", "extra", "status", "field", "message"),
    [c[1:] for c in CORPUS],
    ids=[c[0] for c in CORPUS],
)
def test_bad_input_is_refused_and_nothing_remains(
    endpoint, media_dir, state, upload_tmp, name, content_type, data, extra, status, field, message
):
    client, url, headers = endpoint
    parts = [*extra, ("file", name, content_type, data(media_dir))]
    body, ctype = media.multipart(parts)
    before = state()
    r = client.generic("POST", url, body, content_type=ctype, **headers)
    assert r.status_code == status, r.content
    got = r.json()
    assert got["field"] == field
    assert message in got["error"]
    assert state() == before
    assert list(upload_tmp.iterdir()) == []


def test_a_file_over_the_size_limit_is_stopped_while_streaming(
    endpoint, tmp_path, state, upload_tmp, settings
):
    client, url, headers = endpoint
    video = media.make_video(tmp_path / "big.mp4", frames=30, width=160, height=120, noise=True)
    size = video.stat().st_size
    settings.SWINGVISION_MAX_UPLOAD_MB = size / 2 / (1024 * 1024)
    body, ctype = media.multipart([("file", "big.mp4", "video/mp4", video.read_bytes())])
    before = state()
    r = client.generic("POST", url, body, content_type=ctype, **headers)
    assert r.status_code == 413
    assert r.json()["field"] == "file"
    assert "big.mp4 is larger than the" in r.json()["error"]
    assert state() == before
    assert list(upload_tmp.iterdir()) == []


def test_a_clip_over_the_duration_limit(endpoint, media_dir, state, settings):
    client, url, headers = endpoint
    settings.SWINGVISION_MAX_VIDEO_SECONDS = 0.2
    data = (media_dir / "swing.mp4").read_bytes()
    body, ctype = media.multipart([("file", "long.mp4", "video/mp4", data)])
    before = state()
    r = client.generic("POST", url, body, content_type=ctype, **headers)
    assert r.status_code == 400
    assert "0.4 s long; the limit is 0.2 s" in r.json()["error"]
    assert state() == before


def test_a_body_that_is_not_multipart(endpoint, state):
    client, url, headers = endpoint
    before = state()
    r = client.post(url, data=b'{"file": "swing.mp4"}', content_type="application/json", **headers)
    assert r.status_code == 415
    assert "multipart/form-data" in r.json()["error"]
    assert state() == before


def test_no_file_at_all(endpoint, state):
    client, url, headers = endpoint
    body, ctype = media.multipart([("club", "Driver")])
    before = state()
    r = client.generic("POST", url, body, content_type=ctype, **headers)
    assert r.status_code == 400
    assert r.json() == {"error": "choose a video file to upload", "field": "file"}
    assert state() == before


def test_a_good_video_with_a_hostile_name_is_stored_safely(endpoint, team, media_dir, mgr):
    """Path separators never reach the store: the key is raw/<player>/<video>/<safe name>, and
    the name shown keeps its unicode."""
    client, url, headers = endpoint
    data = (media_dir / "swing.mp4").read_bytes()
    name = "../../../tmp/évil\\..\\swing ⛳ – été.mp4"
    body, ctype = media.multipart([("file", name, "video/mp4", data)])
    r = client.generic("POST", url, body, content_type=ctype, **headers)
    assert r.status_code == 201, r.content
    got = r.json()
    vid = (got.get("video") or got["videos"][0])["id"]
    video = mgr.videos.get(SYSTEM, team.player.id, vid)
    assert video.filename == "swing ⛳ – été.mp4"
    assert video.blob_ref == f"local://raw/{team.player.id}/{vid}/swing_été.mp4"
    store = get_store()
    assert store._path(video.blob_ref).is_relative_to(store.root)
    with store.open(video.blob_ref) as fh:
        assert fh.read() == data


def test_a_garbled_multipart_body(endpoint, state, upload_tmp):
    client, url, headers = endpoint
    before = state()
    r = client.generic(
        "POST",
        url,
        b"--wrong\r\nnot a part at all",
        content_type="multipart/form-data; boundary=",
        **headers,
    )
    assert r.status_code == 400
    assert r.json()["field"] == "file" and "multipart" in r.json()["error"]
    assert state() == before
