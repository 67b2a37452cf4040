"""Playback over real HTTP: whole file, byte ranges (first bytes, middle, suffix), 416 past the
end; expired videos answer 410 with a reason; nobody plays another coach's swing."""

from __future__ import annotations

import http.client
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM
from swingvision.videos.playback import RangeNotSatisfiable, parse_range


def raw_get(live_url, path, *, cookie="", headers=None, method="GET"):
    """One request over a plain socket connection: what a browser's media element sends."""
    parts = urlsplit(live_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        conn.request(
            method, path, headers={**({"Cookie": cookie} if cookie else {}), **(headers or {})}
        )
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture
def stored(team, login_client, media_dir, mgr):
    """A coach's upload of the 60-frame video; returns (video, bytes, session cookie)."""
    c = login_client(team.coach)
    data = (media_dir / "seek.mp4").read_bytes()
    r = c.post(
        f"/players/{team.player.id}/upload/",
        {"file": SimpleUploadedFile("seek.mp4", data, "video/mp4")},
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 201
    video = mgr.videos.get(SYSTEM, team.player.id, r.json()["videos"][0]["id"])
    return video, data, f"sessionid={c.cookies['sessionid'].value}"


def path_of(video):
    return f"/players/{video.user_id}/swings/{video.id}/video"


def test_whole_file(live_url, stored):
    video, data, cookie = stored
    status, headers, body = raw_get(live_url, path_of(video), cookie=cookie)
    assert status == 200
    assert body == data
    assert headers["content-length"] == str(len(data))
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-type"] == "video/mp4"
    assert "content-range" not in headers


@pytest.mark.parametrize(
    ("header", "span"),
    [
        ("bytes=0-99", lambda size: (0, 99)),  # the first bytes
        ("bytes=1000-1999", lambda size: (1000, 1999)),  # the middle
        ("bytes=-500", lambda size: (size - 500, size - 1)),  # the last 500 bytes
        ("bytes=1200-", lambda size: (1200, size - 1)),  # open-ended
        ("bytes=0-999999999", lambda size: (0, size - 1)),  # past the end is clipped
    ],
    ids=["first", "middle", "suffix", "open", "clipped"],
)
def test_ranges(live_url, stored, header, span):
    video, data, cookie = stored
    size = len(data)
    assert size > 2000
    first, last = span(size)
    status, headers, body = raw_get(
        live_url, path_of(video), cookie=cookie, headers={"Range": header}
    )
    assert status == 206
    assert headers["content-range"] == f"bytes {first}-{last}/{size}"
    assert headers["content-length"] == str(last - first + 1)
    assert body == data[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0"], ids=["past-end", "empty"])
def test_unsatisfiable_ranges_get_416(live_url, stored, header):
    video, data, cookie = stored
    status, headers, body = raw_get(
        live_url, path_of(video), cookie=cookie, headers={"Range": header}
    )
    assert status == 416
    assert headers["content-range"] == f"bytes */{len(data)}"
    assert b"Range not satisfiable" in body


def test_head_and_if_range(live_url, stored):
    video, data, cookie = stored
    status, headers, body = raw_get(
        live_url, path_of(video), cookie=cookie, method="HEAD", headers={"Range": "bytes=0-9"}
    )
    assert (status, body) == (206, b"")
    assert headers["content-range"] == f"bytes 0-9/{len(data)}"
    etag = headers["etag"]
    # If-Range with the current ETag keeps the range; another ETag gets the whole file.
    status, _, body = raw_get(
        live_url, path_of(video), cookie=cookie, headers={"Range": "bytes=0-9", "If-Range": etag}
    )
    assert (status, body) == (206, data[:10])
    status, _, body = raw_get(
        live_url, path_of(video), cookie=cookie, headers={"Range": "bytes=0-9", "If-Range": '"x"'}
    )
    assert (status, body) == (200, data)


def test_parse_range_rules():
    assert parse_range(None, 100) is None
    assert parse_range("items=0-5", 100) is None  # another unit: ignored
    assert parse_range("bytes=0-5,10-20", 100) is None  # several ranges: the whole file
    assert parse_range("bytes=9-3", 100) is None  # invalid: ignored (RFC 9110)
    assert parse_range("bytes=-1000", 100) == (0, 99)
    assert parse_range("bytes=99-", 100) == (99, 99)
    for bad in ("bytes=100-", "bytes=100-200", "bytes=-0"):
        with pytest.raises(RangeNotSatisfiable):
            parse_range(bad, 100)
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=0-", 0)


def test_login_and_scope(live_url, stored, team, login_client):
    video, _, _ = stored
    status, headers, _ = raw_get(live_url, path_of(video))
    assert status == 302 and headers["location"].startswith("/login/")
    for user in (team.other_coach, team.other_player):
        c = login_client(user)
        cookie = f"sessionid={c.cookies['sessionid'].value}"
        status, _, body = raw_get(live_url, path_of(video), cookie=cookie)
        assert status == 404
        assert b"ftyp" not in body
    c = login_client(team.player)  # the player plays their own swing
    status, _, _ = raw_get(
        live_url, path_of(video), cookie=f"sessionid={c.cookies['sessionid'].value}"
    )
    assert status == 200


def test_an_expired_video_answers_410_with_a_reason(live_url, stored, mgr, token_for):
    video, _, cookie = stored
    from swingvision.videos.retention import purge

    aged = mgr.videos.update(video, metadata=video.metadata)
    mgr.db.run_sql(
        "UPDATE videos SET uploaded_at = ? WHERE id = ?",
        [int((utc_now() - timedelta(days=31)).timestamp() * 1000), aged.id],
    )
    purged = [i for i in purge(player_id=video.user_id) if i.video.id == video.id]
    assert [i.action for i in purged] == ["deleted"]
    status, headers, body = raw_get(live_url, path_of(video), cookie=cookie)
    assert status == 410
    assert b"raw video of this swing was deleted on" in body and b"analysis are kept" in body
    status, headers, body = raw_get(
        live_url,
        f"/api/v1/players/{video.user_id}/videos/{video.id}/video",
        headers={"Authorization": f"Bearer {token_for(mgr.users.get(video.user_id))}"},
    )
    assert status == 410 and b"deleted on" in body


@pytest.mark.parametrize(
    ("meta", "content_type", "extension"),
    [
        ({"container": "mov,mp4,m4a,3gp,3g2,mj2"}, "video/mp4", "mp4"),
        ({"container": "mov,mp4,m4a,3gp,3g2,mj2", "brand": "qt"}, "video/quicktime", "mov"),
        ({"container": "mp4"}, "video/mp4", "mp4"),  # the demo's rows before it wrote the probe's
        ({"container": "MOV", "brand": "qt"}, "video/quicktime", "mov"),
        ({"container": "matroska,webm"}, "video/webm", "webm"),
        ({"container": "webm"}, "video/webm", "webm"),
        ({"container": "avi"}, "application/octet-stream", "bin"),
        ({"container": ["mp4"]}, "application/octet-stream", "bin"),
        ({}, "application/octet-stream", "bin"),
    ],
)
def test_the_original_is_served_as_its_container(meta, content_type, extension):
    """The original's type and file name come from its container, named as the probe names it
    (FFmpeg's demuxer) or by a short name; anything else is a download of no known type."""
    from swingvision.db.records import Video
    from swingvision.videos.playback import disposition, playback_file

    now = utc_now()
    video = Video(
        id="v1",
        user_id="p1",
        filename="swing-4.mp4",
        uploaded_at=now,
        updated_at=now,
        duration_s=1.0,
        status="analyzed",
        metadata={"codec": "h264", **meta},
        blob_ref="local://raw/p1/v1/swing-4.mp4",
    )
    file = playback_file(video, original=True)
    assert file.content_type == content_type
    assert file.filename == f"swing-4.{extension}"
    assert disposition(file).endswith(f"''swing-4.{extension}")
