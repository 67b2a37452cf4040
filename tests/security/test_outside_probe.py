"""What an outside probe of the merged product found (issue #19's classes, met again in new code):
text that is valid JSON but no text, a Content-Length past a float's range, JSON where a form was
expected, API errors and caching, a decoder message naming a server path. Each test failed before
its fix."""

from __future__ import annotations

import json

import pytest

from swingvision.db.managers import SYSTEM, managers


def _swing_url(world) -> str:
    return f"/players/{world.player.id}/swings/{world.video.id}/"


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb"])
def test_a_lone_surrogate_in_json_is_refused_not_stored(world, text):
    """A coach's drawing text or note with a lone surrogate used to be stored (then every page
    showing it, the audit log included, answered 500) or to fail with a 500 itself."""
    coach = world.client("coach")
    url = _swing_url(world)
    drawing = {"kind": "text", "points": [{"x": 0.1, "y": 0.1}], "text": text}
    # json.dumps writes the surrogate as an escape, as a browser's JSON.stringify does.
    for path, payload in ((url + "annotations/", drawing), (url + "notes/", {"text": text})):
        r = coach.post(path, json.dumps(payload), content_type="application/json")
        assert r.status_code == 400, (path, r.status_code, r.content[:200])
        assert "not valid JSON text" in r.content.decode()
    m = managers()
    drawings = m.coaching.annotations(SYSTEM, world.player.id, world.video.id)
    assert all("\ud800" not in (d.get("text") or "") for d in drawings)
    assert coach.get("/admin/audit/").status_code in (200, 403)
    assert world.client("admin").get("/admin/audit/").status_code == 200


def test_a_content_length_past_a_floats_range_is_a_413(world):
    huge = "9" * 400
    for url in (
        f"/players/{world.player.id}/upload/",
        f"/players/{world.player.id}/lessons/",
    ):
        r = world.client("coach").post(
            url, b"--x--\r\n", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=huge
        )
        assert r.status_code == 413, (url, r.status_code, r.content[:200])


def test_a_swing_is_renamed_from_json_too(world):
    url = _swing_url(world) + "title/"
    r = world.client("coach").post(
        url, json.dumps({"title": "From a script"}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json() == {"ok": True}
    stored = managers().videos.get(SYSTEM, world.player.id, world.video.id)
    assert stored.metadata["title"] == "From a script"


def test_api_errors_are_json_even_for_unknown_urls(world):
    for url in ("/api/v1/nope", f"/api/v1/players/{world.player.id}/videos/"):
        r = world.client("coach").get(url)
        assert r.status_code == 404 and r["Content-Type"].startswith("application/json"), url


@pytest.mark.parametrize(
    "path",
    ["/roster/", "/profile/", "/drills/", "PLAYER", "SWING", "SWING_REPORT", "/admin/audit/"],
)
def test_per_user_pages_are_not_cached(world, path):
    path = (
        path.replace("SWING_REPORT", _swing_url(world) + "report/")
        .replace("SWING", _swing_url(world))
        .replace("PLAYER", f"/players/{world.player.id}/")
    )
    role = "admin" if path.startswith("/admin/") else "coach"
    r = world.client(role).get(path)
    assert r.status_code == 200, (path, r.status_code)
    assert "no-store" in r.get("Cache-Control", "") or "no-cache" in r.get("Cache-Control", "")
    assert "private" in r["Cache-Control"], (path, r.get("Cache-Control"))


def test_a_recording_that_is_no_video_is_refused_without_a_server_path(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("r.webm", b"hello" * 100, content_type="video/webm")
    r = world.client("coach").post(
        f"/players/{world.player.id}/lessons/",
        {"file": bad, "title": "x", "video_ids": world.video.id},
        HTTP_ACCEPT="application/json",
    )
    assert 400 <= r.status_code < 500
    text = r.content.decode()
    assert "not a video recording" in text and "/tmp" not in text and "Errno" not in text
