"""Issue 19, finding 1: a player's upload must never run as a page on our origin.

A page or an SVG with a real video glued to it is refused; a video that carries a page inside its
own padding is stored under the container's extension and served as that video; whatever a stored
row says, an original goes out as video/* or application/octet-stream, as an attachment, with
nosniff and a sandboxing CSP. The browser half (player uploads, coach opens) is in
tests/browser/test_stored_xss_browser.py."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store, video_key
from tests.videos import media

ACTIVE_TYPES = ("html", "javascript", "svg", "xml", "text/")


@pytest.fixture
def pair(make_user):
    coach = make_user("coach")
    return coach, make_user("player", coach=coach)


def assert_inert(response, *, ext: str | None = "mp4"):
    """An original as a browser must get it: a video type (or a generic binary), an attachment
    named with the container's extension, nosniff, and a CSP that sandboxes it as a page."""
    ctype = response["Content-Type"]
    assert not any(t in ctype for t in ACTIVE_TYPES), ctype
    assert ctype.startswith("video/") or ctype == "application/octet-stream", ctype
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith(f".{ext or 'bin'}")
    csp = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in csp and "default-src 'none'" in csp


@pytest.mark.parametrize("name", ["x.html", "x.svg", "x.js"])
@pytest.mark.parametrize("container", ["nut", "mpegts", "mp4", "webm"])
def test_a_page_glued_in_front_of_a_video_is_refused(pair, login_client, mgr, name, container):
    _, player = pair
    page = media.XSS_SVG if name.endswith(".svg") else media.XSS_HTML
    codec = "libvpx-vp9" if container == "webm" else "libx264"
    data = page + media.container_bytes(container, codec=codec)
    c = login_client(player)
    for accept in ("application/json", "text/html"):
        r = c.post(
            f"/players/{player.id}/upload/",
            {"file": SimpleUploadedFile(name, data, "application/octet-stream")},
            HTTP_ACCEPT=accept,
        )
        assert r.status_code == 400, r.content[:300]
    assert mgr.videos.for_player(SYSTEM, player.id) == []


def test_a_nut_video_with_a_page_behind_it_is_refused_too(pair, login_client, mgr):
    _, player = pair
    data = media.container_bytes("nut") + media.XSS_HTML
    r = login_client(player).post(
        f"/players/{player.id}/upload/",
        {"file": SimpleUploadedFile("x.html", data, "video/mp4")},
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 400 and "container we do not take (nut)" in r.json()["error"]
    assert mgr.videos.for_player(SYSTEM, player.id) == []


def test_a_page_inside_a_videos_padding_is_stored_and_served_as_that_video(pair, login_client, mgr):
    """The page rides in a `free` box, which is MP4's own padding: the file is a video, so it is
    taken, but its name and the client's claimed type play no part in how it is stored or served."""
    coach, player = pair
    data = media.container_bytes("mp4") + media.mp4_box(b"free", media.XSS_HTML)
    r = login_client(player).post(
        f"/players/{player.id}/upload/",
        {"file": SimpleUploadedFile("x.html", data, "video/x-anything")},
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 201, r.content
    video = mgr.videos.get(SYSTEM, player.id, r.json()["videos"][0]["id"])
    assert video.blob_ref.endswith(f"/{video.id}/x.mp4")
    assert video.metadata["content_type"] == "video/mp4"
    assert video.metadata["extension"] == "mp4"
    coach_client = login_client(coach)
    for query in ("?original=1", ""):
        got = coach_client.get(f"/players/{player.id}/swings/{video.id}/video{query}")
        assert got.status_code == 200
        assert got["Content-Type"] == "video/mp4"
        assert_inert(got)
        assert b"".join(got.streaming_content) == data


@pytest.mark.parametrize(
    ("filename", "payload", "metadata"),
    [
        ("x.svg", media.XSS_SVG, {}),
        ("x.html", media.XSS_HTML, {"content_type": "text/html"}),
        ("x.js", b"fetch('/xss-ran/')", {"content_type": "application/javascript"}),
        ("x.html", media.XSS_HTML, {"container": "nut", "content_type": "video/x-nut"}),
    ],
    ids=["svg-by-name", "html-claimed", "js-claimed", "nut-container"],
)
def test_rows_stored_before_the_fix_are_served_inert(
    pair, login_client, mgr, filename, payload, metadata
):
    """A row written by the old upload check: whatever its filename or recorded type, only a
    container we probe as MP4/MOV or WebM/Matroska is served as video, the rest as bytes."""
    coach, player = pair
    video = mgr.videos.create(SYSTEM, player.id, filename=filename, status="uploaded")
    ref = get_store().put(
        video_key(player.id, video.id, filename), io.BytesIO(payload), content_type=""
    )
    video = mgr.videos.update(video, blob_ref=ref, metadata=metadata)
    c = login_client(coach)
    for query in ("?original=1", ""):
        for method in ("get", "head"):
            r = getattr(c, method)(f"/players/{player.id}/swings/{video.id}/video{query}")
            assert r.status_code == 200
            assert r["Content-Type"] == "application/octet-stream"
            assert_inert(r, ext=None)
    r = c.get(f"/players/{player.id}/swings/{video.id}/video", HTTP_RANGE="bytes=0-9")
    assert r.status_code == 206 and r["Content-Type"] == "application/octet-stream"
    assert_inert(r, ext=None)


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_lesson_recording_with_a_page_glued_to_it_is_refused(tmp_path, where):
    from swingvision.lessons.media import LessonMediaError, probe_lesson

    video = media.container_bytes("webm", codec="libvpx-vp9")
    path = tmp_path / "lesson.webm"
    path.write_bytes(media.XSS_HTML + video if where == "before" else video + media.XSS_HTML)
    with pytest.raises(LessonMediaError):
        probe_lesson(path, max_seconds=60)
    path.write_bytes(video)
    assert probe_lesson(path, max_seconds=60).content_type == "video/webm"
