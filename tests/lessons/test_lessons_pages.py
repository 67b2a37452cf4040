"""Saving, converting, listing, playing and scoping lessons through the pages and the JSON API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store
from tests.lessons.helpers import process_all_lessons

from .media import tracks


def lesson_blobs() -> set[str]:
    return set(get_store().keys("lessons/"))


def state(team) -> tuple:
    return (team.m.lessons.count_for_player(SYSTEM, team.player.id), lesson_blobs())


def upload(client: Client, team, data: bytes, *, name="lesson.webm", ctype="video/webm", **kw):
    fields = {"title": "Hold the top", "video_ids": [team.video.id]}
    fields.update(kw)
    fields["file"] = SimpleUploadedFile(name, data, content_type=ctype)
    return client.post(
        f"/players/{team.player.id}/lessons/", fields, headers={"Accept": "application/json"}
    )


@pytest.fixture(scope="module")
def saved(team, recordings):
    """One lesson recorded by the coach on the first swing, converted by the worker's step."""
    r = upload(team.client(team.coach), team, recordings["voice"].read_bytes())
    assert r.status_code == 201, r.content
    lesson_id = r.json()["lesson"]["id"]
    assert r["Location"] == f"/players/{team.player.id}/lessons/{lesson_id}/"
    return team.m.lessons.get(SYSTEM, team.player.id, lesson_id)


def test_a_recording_is_stored_then_converted_to_mp4_with_sound(team, saved, tmp_path):
    assert saved.status == "uploaded" and saved.coach_id == team.coach.id
    assert saved.video_ids == [team.video.id] and saved.title == "Hold the top"
    assert saved.duration_s == pytest.approx(2.0, abs=0.1)
    assert saved.metadata["codec"] == "vp8" and saved.metadata["audio_codec"] == "opus"
    assert saved.content_type == "video/webm" and saved.blob_ref.endswith("/recording.webm")
    assert get_store().exists(saved.blob_ref)
    assert process_all_lessons(team.m) >= 1
    done = team.m.lessons.get(SYSTEM, team.player.id, saved.id)
    assert done.status == "ready", done.metadata
    ref = done.metadata["rendition_ref"]
    with get_store().local_copy(ref) as path:
        got = tracks(path)
    assert got["video"] == ["h264"] and got["audio"] == ["aac"]
    assert got["duration"] == pytest.approx(saved.duration_s, abs=0.15)
    # The page and the API serve the MP4, with Range for seeking.
    c = team.client(team.player)
    for url in (
        f"/players/{team.player.id}/lessons/{saved.id}/video",
        f"/api/v1/players/{team.player.id}/lessons/{saved.id}/video",
    ):
        r = c.get(url, HTTP_RANGE="bytes=0-99")
        assert r.status_code == 206 and r["Content-Type"] == "video/mp4"
        assert r["Content-Range"].startswith("bytes 0-99/") and len(b"".join(r)) == 100
        assert c.get(url, HTTP_RANGE="bytes=999999999-").status_code == 416


def test_the_player_sees_new_lessons_first_and_playing_marks_watched(team, saved):
    c = team.client(team.player)
    home = c.get(f"/players/{team.player.id}/").content.decode()
    new = team.m.lessons.count_new(SYSTEM, team.player.id)
    assert new >= 1
    assert f"{new} new lesson{'s' if new > 1 else ''}" in home
    assert f"/players/{team.player.id}/lessons/{saved.id}/" in home
    swing = c.get(f"/players/{team.player.id}/swings/{team.video.id}/").content.decode()
    assert "data-new-lessons" in swing and saved.title in swing
    page = c.get(f"/players/{team.player.id}/lessons/{saved.id}/").content.decode()
    assert f"/players/{team.player.id}/lessons/{saved.id}/video" in page
    assert "data-mark-watched" in page
    api = c.get(f"/api/v1/players/{team.player.id}/lessons").json()
    assert api["new"] == new and api["lessons"][0]["watched_at"] is None
    # A coach or an admin playing it does not count.
    watched_url = f"/players/{team.player.id}/lessons/{saved.id}/watched"
    assert team.client(team.coach).post(watched_url).json()["watched_at"] is None
    assert team.client(team.admin).post(watched_url).json()["watched_at"] is None
    r = c.post(watched_url)
    assert r.status_code == 200 and r.json()["watched_at"]
    coach_page = team.client(team.coach).get(f"/players/{team.player.id}/swings/{team.video.id}/")
    assert "watched <time" in coach_page.content.decode()
    entry = c.get(f"/api/v1/players/{team.player.id}/lessons/{saved.id}").json()["lesson"]
    assert entry["watched_at"] and entry["has_audio"] and entry["playback"] in ("mp4", "original")


@pytest.mark.parametrize("who", ["other_player", "other_coach", "anonymous"])
def test_outsiders_get_nothing_of_a_lesson(team, saved, who):
    c = team.client(None if who == "anonymous" else getattr(team, who))
    base = f"/players/{team.player.id}/lessons/{saved.id}/"
    for url in (base, base + "video", f"/players/{team.player.id}/lessons/"):
        r = c.get(url)
        if who == "anonymous":
            assert r.status_code == 302 and r["Location"].startswith("/login/")
        else:
            assert r.status_code == 404, url
    for url in (
        f"/api/v1/players/{team.player.id}/lessons",
        f"/api/v1/players/{team.player.id}/lessons/{saved.id}",
        f"/api/v1/players/{team.player.id}/lessons/{saved.id}/video",
    ):
        assert c.get(url).status_code == (401 if who == "anonymous" else 404), url
    before = team.m.lessons.get(SYSTEM, team.player.id, saved.id).watched_at
    r = c.post(base + "watched")
    assert r.status_code == (302 if who == "anonymous" else 404)
    assert team.m.lessons.get(SYSTEM, team.player.id, saved.id).watched_at == before


def test_the_player_cannot_record_or_delete(team, saved, recordings):
    before = state(team)
    r = upload(team.client(team.player), team, recordings["voice"].read_bytes())
    assert r.status_code == 403
    r = team.client(team.player).post(f"/players/{team.player.id}/lessons/{saved.id}/delete/")
    assert r.status_code == 403
    assert state(team) == before


@pytest.mark.parametrize(
    "case",
    ["empty", "not a video", "image type", "no file", "another player's swing", "no swing"],
)
def test_bad_recordings_get_a_4xx_and_leave_nothing(team, recordings, case, tmp_path):
    good = recordings["voice"].read_bytes()
    c = team.client(team.coach)
    before = state(team)
    if case == "empty":
        r = upload(c, team, b"")
        assert r.status_code == 400 and "empty" in r.json()["error"]
    elif case == "not a video":
        r = upload(c, team, b"RIFF....not a recording" * 50)
        assert r.status_code == 400 and r.json()["field"] == "file"
    elif case == "image type":
        r = upload(c, team, good, ctype="image/png")
        assert r.status_code == 415
    elif case == "no file":
        r = c.post(
            f"/players/{team.player.id}/lessons/",
            {"title": "x", "video_ids": team.video.id},
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 415 or r.status_code == 400
    elif case == "another player's swing":
        r = upload(c, team, good, video_ids=[team.other_video.id])
        assert r.status_code == 400 and r.json()["field"] == "video_ids"
    else:
        r = upload(c, team, good, video_ids=[])
        assert r.status_code == 400 and r.json()["field"] == "video_ids"
    assert state(team) == before


def test_over_the_size_limit_is_413_and_leaves_nothing(team, recordings, settings, upload_tmp):
    settings.SWINGVISION_MAX_LESSON_MB = 0.01  # about 10 KB: the 2 s recording is larger
    before = state(team)
    r = upload(team.client(team.coach), team, recordings["voice"].read_bytes())
    assert r.status_code == 413 and r.json()["field"] == "file"
    assert state(team) == before
    assert not list(upload_tmp.iterdir())


def test_over_the_length_limit_is_400_and_leaves_nothing(team, recordings, settings):
    settings.SWINGVISION_MAX_LESSON_SECONDS = 1.0  # 1 s + the 2 s slack < the 4 s recording
    before = state(team)
    r = upload(team.client(team.coach), team, recordings["long"].read_bytes())
    assert r.status_code == 400 and "at most" in r.json()["error"]
    assert state(team) == before


def test_a_silent_recording_is_kept_without_sound(team, recordings):
    r = upload(team.client(team.coach), team, recordings["silent"].read_bytes(), title="")
    assert r.status_code == 201
    body = r.json()["lesson"]
    assert body["has_audio"] is False and body["title"] == "Lesson"
    lesson = team.m.lessons.get(SYSTEM, team.player.id, body["id"])
    process_all_lessons(team.m)
    done = team.m.lessons.get(SYSTEM, team.player.id, lesson.id)
    with get_store().local_copy(done.metadata["rendition_ref"]) as path:
        got = tracks(path)
    assert got["video"] == ["h264"] and got["audio"] == []


def test_compare_lessons_cover_both_of_the_players_swings(team, recordings):
    compare = f"/players/{team.player.id}/swings/{team.video.id}/compare/"
    page = team.client(team.coach).get(compare, {"with": f"{team.player.id}:{team.video2.id}"})
    html = page.content.decode()
    assert "data-lesson-recorder" in html
    assert f'value="{team.video.id}"' in html and f'value="{team.video2.id}"' in html
    r = upload(
        team.client(team.coach),
        team,
        recordings["voice"].read_bytes(),
        video_ids=[team.video.id, team.video2.id],
    )
    assert r.status_code == 201
    assert r.json()["lesson"]["video_ids"] == [team.video.id, team.video2.id]
    # The player's swing page offers no recorder.
    player_swing = team.client(team.player).get(
        f"/players/{team.player.id}/swings/{team.video.id}/"
    )
    assert "data-lesson-recorder" not in player_swing.content.decode()


def test_lessons_outlive_the_raw_video_purge(team, recordings):
    from swingvision.videos.retention import purge

    r = upload(team.client(team.coach), team, recordings["voice"].read_bytes())
    lesson = team.m.lessons.get(SYSTEM, team.player.id, r.json()["lesson"]["id"])
    process_all_lessons(team.m)
    lesson = team.m.lessons.get(SYSTEM, team.player.id, lesson.id)
    purge(days=1, now=utc_now() + timedelta(days=400), player_id=team.player.id)
    assert get_store().exists(lesson.blob_ref)
    assert get_store().exists(lesson.metadata["rendition_ref"])
    assert (
        team.client(team.player)
        .get(f"/players/{team.player.id}/lessons/{lesson.id}/video")
        .status_code
        == 200
    )


def test_the_coach_deletes_a_lesson_with_its_files(team, recordings):
    r = upload(team.client(team.coach), team, recordings["silent"].read_bytes())
    lesson = team.m.lessons.get(SYSTEM, team.player.id, r.json()["lesson"]["id"])
    process_all_lessons(team.m)
    lesson = team.m.lessons.get(SYSTEM, team.player.id, lesson.id)
    refs = [lesson.blob_ref, lesson.metadata["rendition_ref"]]
    r = team.client(team.coach).post(f"/players/{team.player.id}/lessons/{lesson.id}/delete/")
    assert r.status_code == 302
    assert not any(get_store().exists(ref) for ref in refs)
    assert (
        team.client(team.coach).get(f"/players/{team.player.id}/lessons/{lesson.id}/").status_code
        == 404
    )


def test_only_the_recording_pages_may_ask_for_the_microphone(team):
    c = team.client(team.coach)
    p, v = team.player.id, team.video.id
    for url in (f"/players/{p}/swings/{v}/", f"/players/{p}/swings/{v}/compare/"):
        assert "microphone=(self)" in c.get(url)["Permissions-Policy"], url
    for url in (f"/players/{p}/", f"/players/{p}/lessons/", "/settings/"):
        assert "microphone=()" in c.get(url)["Permissions-Policy"], url


def _png() -> bytes:
    """A 1x1 PNG image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_refused_recordings_are_explained_in_words_and_logged_in_one_line(
    team, recordings, settings, caplog
):
    """A PNG sent as a lesson is 'not a video: it looks like a PNG image' (not FFmpeg's
    'png_pipe'); a file over the size limit is 'too large' with the limit (not 'send fewer
    videos'), on the page too; a file FFmpeg cannot read is one warning line in the log, with no
    traceback, and its message does not name the server's temporary file."""
    c = team.client(team.coach)
    before = state(team)
    r = upload(c, team, _png(), name="lesson.mp4", ctype="video/mp4")
    assert r.status_code == 400 and r.json()["field"] == "file", r.content
    assert r.json()["error"] == "not a video: it looks like a PNG image", r.json()

    caplog.clear()
    with caplog.at_level("INFO", logger="swingvision.lessons"):
        r = upload(c, team, b"RIFF....not a recording" * 50)
    assert r.status_code == 400 and "WebM or MP4" in r.json()["error"]
    assert "/tmp" not in r.json()["error"] and "upload" not in r.json()["error"]
    records = [x for x in caplog.records if x.name == "swingvision.lessons"]
    assert len(records) == 1 and records[0].levelname == "WARNING", records
    assert records[0].exc_info is None and "not a recording" in records[0].getMessage()

    settings.SWINGVISION_MAX_LESSON_MB = 0.01  # about 10 KB: the recording is larger
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # so the declared length alone refuses it
    r = upload(c, team, recordings["voice"].read_bytes())
    assert r.status_code == 413 and r.json()["field"] == "file", r.content
    error = r.json()["error"]
    assert error.startswith("the file is too large: the upload is ") and "fewer" not in error
    assert error.endswith("a file may be at most 0.01 MB"), error
    page = c.post(
        f"/players/{team.player.id}/lessons/",
        {
            "title": "x",
            "video_ids": [team.video.id],
            "file": SimpleUploadedFile("l.webm", recordings["voice"].read_bytes(), "video/webm"),
        },
    )
    assert page.status_code == 413 and "the file is too large" in page.content.decode()
    assert state(team) == before
