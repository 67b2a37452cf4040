"""Phone videos through the upload page and the worker: each gets an H.264 fast-start rendition,
upright, with every frame of the original in order; the playback view serves it; a video that
browsers play already is served as it is."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from swingvision.storage import get_store
from swingvision.videos import renditions
from swingvision.videos.probe import probe_video
from swingvision.videos.renditions import gop_for, rendition_reasons

from . import phone_media
from .flow import process, upload, upload_clip


@pytest.fixture
def team(make_user):
    coach = make_user("coach", name="Robin Range")
    return coach, make_user("player", coach=coach, name="Sam Slice")


def small_frames(path, box: int = 64) -> list[np.ndarray]:
    """Every frame, in order, shrunk to `box` on its long side and turned upright by its display
    matrix, in grey levels (to compare two files frame by frame)."""
    out = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            turns = round((frame.rotation or 0) / 90) % 4
            scale = box / max(frame.width, frame.height)
            w, h = round(frame.width * scale), round(frame.height * scale)
            img = frame.reformat(width=w, height=h, format="gray").to_ndarray().astype(np.float32)
            out.append(np.rot90(img, turns) if turns else img)
    return out


def assert_same_frames(a: list[np.ndarray], b: list[np.ndarray]) -> None:
    """b is a, frame for frame: each frame of b matches its own frame of a at least as well as
    any other (still phases make neighbours alike), and a one-frame shift matches clearly worse."""
    assert len(a) == len(b)
    own = np.array([np.abs(x - y).mean() for x, y in zip(a, b, strict=True)])
    assert np.median(own) < 3.0, own
    for i in range(0, len(b), max(1, len(b) // 12)):
        others = [np.abs(b[i] - x).mean() for x in a]
        assert own[i] <= min(others) + 0.5, (i, own[i], int(np.argmin(others)))
    shifted = np.array([np.abs(x - y).mean() for x, y in zip(a[1:], b[:-1], strict=True)])
    assert shifted.sum() > 2 * own.sum(), (shifted.sum(), own.sum())


@pytest.mark.parametrize("kind", phone_media.CLIP_KINDS)
def test_each_phone_clip_gets_a_browser_rendition(kind, team, mgr, login_client):
    clip = phone_media.phone_clips()[kind]
    coach, player = team
    original = probe_video(clip.path)
    done = upload_clip(login_client(coach), mgr, player.id, clip.kind)
    assert done.status == "analyzed", done.metadata
    meta = done.metadata
    assert meta["playback"] == "rendition"
    assert any(clip.reason in r for r in meta["rendition"]["reasons"]), meta["rendition"]
    assert meta["rendition_ref"].endswith(f"renditions/{player.id}/{done.id}/playback.mp4")
    assert "rendition_error" not in meta and "progress" not in meta

    with get_store().local_copy(meta["rendition_ref"]) as path:
        made = probe_video(path)
        assert (made.codec, made.pix_fmt, made.brand) == ("h264", "yuv420p", "isom")
        assert made.faststart is True and made.rotation == 0
        assert (made.width, made.height) == clip.display == (original.width, original.height)
        # Every frame of the original, once, in order, at a constant rate.
        assert made.frame_count == original.frame_count == clip.swing.n_frames
        assert made.variable_frame_rate is False
        assert made.max_keyframe_gap <= gop_for(made.fps)
        assert made.fps == pytest.approx(meta["playback_fps"], rel=1e-6)
        assert made.fps == pytest.approx(original.fps, rel=1e-4)  # the average for VFR
        assert_same_frames(small_frames(clip.path), small_frames(path))
    if kind == "low-light-vfr":
        assert meta["rendition"]["from_vfr"] is True
        assert meta["rendition"]["fps"] == pytest.approx(
            original.frame_count / original.duration_s, rel=1e-3
        )
    if kind == "android-240fps":
        assert meta["rendition"]["gop"] == 120  # half a second of a 240 fps clip


def test_the_playback_view_serves_the_rendition_and_the_original_on_request(
    team, mgr, login_client
):
    clip = phone_media.phone_clips()["vp9-webm"]
    coach, player = team
    c = login_client(coach)
    done = upload_clip(c, mgr, player.id, clip.kind)
    url = f"/players/{player.id}/swings/{done.id}/video"
    r = c.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "video/mp4"
    body = b"".join(r.streaming_content)
    with get_store().open(done.metadata["rendition_ref"]) as fh:
        assert body == fh.read()
    assert r["Content-Disposition"].endswith("swing.mp4")
    part = c.get(url, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and len(b"".join(part.streaming_content)) == 100
    raw = c.get(url + "?original=1")
    assert raw["Content-Type"] == "video/webm"
    assert b"".join(raw.streaming_content) == clip.path.read_bytes()
    assert r["ETag"] != raw["ETag"]
    # The JSON API's file URL answers the same; its metadata hides the storage references.
    api = c.get(f"/api/v1/players/{player.id}/videos/{done.id}").json()["video"]
    assert "rendition_ref" not in api["metadata"] and "thumbs" not in api["metadata"]
    assert api["metadata"]["playback"] == "rendition"
    assert api["poster_url"].startswith(f"/players/{player.id}/swings/{done.id}/thumbs/poster")
    file = c.get(api["file_url"])
    assert b"".join(file.streaming_content) == body
    # The replay's pose data maps video time to frames with the rendition's rate.
    poses = c.get(f"/players/{player.id}/swings/{done.id}/poses.json").json()
    assert poses["fps"] == done.metadata["playback_fps"] == pytest.approx(30.0)
    assert poses["n"] == clip.swing.n_frames


def test_a_video_browsers_play_already_is_served_as_it_is(team, mgr, login_client, tmp_path):
    swing = phone_media.short_swing(fps=30, width=320, height=240, seed=9)
    path = phone_media.write_video(
        tmp_path / "ready.mp4",
        phone_media.swing_frames(swing),
        codec="libx264",
        rate=Fraction(30),
        container="mp4",
        options={"preset": "ultrafast", "g": "30"},
        faststart=True,
    )
    info = probe_video(path)
    assert rendition_reasons(info.as_metadata()) == [], info
    coach, player = team
    c = login_client(coach)
    sent = upload(c, player.id, path, content_type="video/mp4", pose=phone_media.pose_csv(swing))
    done = process(mgr, player.id, sent["id"])
    assert done.status == "analyzed"
    assert done.metadata["playback"] == "original" and "rendition_ref" not in done.metadata
    assert not list(get_store().keys(f"renditions/{player.id}/{done.id}/"))
    r = c.get(f"/players/{player.id}/swings/{done.id}/video")
    assert b"".join(r.streaming_content) == path.read_bytes()


@pytest.mark.parametrize(
    ("facts", "needs"),
    [
        ({"codec": "hevc"}, "hevc"),
        ({"brand": "qt"}, "QuickTime"),
        ({"faststart": False}, "fast start"),
        ({"rotation": 90}, "turned 90°"),
        ({"variable_frame_rate": True}, "variable"),
        ({"pix_fmt": "yuv420p10le"}, "yuv420p10le"),
        ({"width": 3840, "height": 2160}, "3840x2160"),
        ({"max_keyframe_gap": 31}, "31 frames apart"),
        ({"fps": 240.0, "max_keyframe_gap": 121}, "121 frames apart"),
        ({"max_keyframe_gap": None}, "unknown"),
    ],
)
def test_what_makes_a_rendition_necessary(facts, needs):
    ready = {
        "codec": "h264",
        "container": "mov,mp4,m4a,3gp,3g2,mj2",
        "brand": "isom",
        "faststart": True,
        "rotation": 0,
        "variable_frame_rate": False,
        "pix_fmt": "yuv420p",
        "width": 1920,
        "height": 1080,
        "fps": 30.0,
        "max_keyframe_gap": 30,
    }
    assert rendition_reasons(ready) == []
    assert rendition_reasons({**ready, "fps": 240.0, "max_keyframe_gap": 120}) == []
    webm = {**ready, "codec": "vp9", "container": "matroska,webm", "brand": None, "faststart": None}
    assert rendition_reasons(webm) == []
    # A row naming its container by a short name (the demo's did) is the same container.
    assert rendition_reasons({**ready, "container": "mp4"}) == []
    assert rendition_reasons({**webm, "container": "WebM"}) == []
    meta = {k: v for k, v in {**ready, **facts}.items() if v is not None}
    reasons = rendition_reasons(meta)
    assert reasons and any(needs in r for r in reasons), reasons


def test_rendition_sizes_and_keyframe_intervals():
    assert renditions.output_size(1080, 1920) == (1080, 1920)
    assert renditions.output_size(3840, 2160) == (1920, 1080)
    assert renditions.output_size(2160, 3840) == (1080, 1920)
    assert renditions.output_size(1440, 1080) == (1440, 1080)
    assert renditions.output_size(4032, 3024) == (1440, 1080)
    assert [gop_for(f) for f in (24, 29.97, 30, 60, 120, 240, 960)] == [
        24,
        30,
        30,
        60,
        60,
        120,
        120,
    ]


def test_a_failed_rendition_is_recorded_and_the_swing_still_analysed(
    team, mgr, login_client, monkeypatch
):
    clip = phone_media.phone_clips()["low-light-vfr"]
    coach, player = team
    c = login_client(coach)

    def broken(*args, **kwargs):
        raise renditions.RenditionError("re-encoding failed: out of disk space")

    monkeypatch.setattr(renditions, "transcode", broken)
    done = upload_clip(c, mgr, player.id, clip.kind)
    assert done.status == "analyzed"
    assert done.metadata["rendition_error"] == "re-encoding failed: out of disk space"
    assert "rendition_ref" not in done.metadata
    r = c.get(f"/players/{player.id}/swings/{done.id}/video")
    assert b"".join(r.streaming_content) == clip.path.read_bytes()  # the original, then


def test_a_re_run_keeps_the_rendition_and_a_missing_one_is_made_again(
    team, mgr, login_client, monkeypatch
):
    clip = phone_media.phone_clips()["vp9-webm"]
    coach, player = team
    done = upload_clip(login_client(coach), mgr, player.id, clip.kind)
    calls = []
    real = renditions.transcode
    monkeypatch.setattr(renditions, "transcode", lambda *a, **k: calls.append(1) or real(*a, **k))
    # Re-analysis (the admin's re-run): queued again, processed again, not re-encoded.
    assert mgr.videos.transition(done, "analyzed", "uploaded")
    again = process(mgr, player.id, done.id)
    assert again.status == "analyzed" and calls == []
    assert again.metadata["rendition_ref"] == done.metadata["rendition_ref"]
    get_store().delete(again.metadata["rendition_ref"])
    assert mgr.videos.transition(again, "analyzed", "uploaded")
    third = process(mgr, player.id, done.id)
    assert calls == [1] and get_store().exists(third.metadata["rendition_ref"])


def test_progress_shows_while_transcoding(team, mgr, login_client, monkeypatch):
    from analysis import pipeline

    monkeypatch.setattr(pipeline, "PROGRESS_EVERY_S", 0.0)
    coach, player = team
    c = login_client(coach)
    seen: list[str] = []
    pages: list[str] = []
    real = type(mgr.videos).update

    def spy(self, video, **changes):
        updated = real(self, video, **changes)
        text = (changes.get("metadata") or {}).get("progress")
        if text and text not in seen:
            seen.append(text)
            if text == "transcoding 50%":  # what the polling player page shows at that moment
                pages.append(c.get(f"/players/{player.id}/?status=processing").content.decode())
        return updated

    monkeypatch.setattr(type(mgr.videos), "update", spy)
    done = upload_clip(c, mgr, player.id, "android-240fps")
    assert done.status == "analyzed" and "progress" not in done.metadata
    transcoding = [s for s in seen if s.startswith("transcoding ")]
    assert transcoding[0] != "transcoding 100%" and transcoding[-1] == "transcoding 100%"
    assert len(transcoding) >= 20, seen  # every percent of a 473-frame clip
    assert pages and "transcoding 50%" in pages[0]
