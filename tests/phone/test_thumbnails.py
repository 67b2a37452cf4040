"""Posters and event strips: drawn by the worker at the event frames, served to those who may see
the swing with caching headers, drawn from the skeleton for pose-file swings, and redrawn from the
skeleton when retention deletes the video (with its rendition)."""

from __future__ import annotations

import io
import tempfile
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
import pytest

from analysis.engine.pose_io import export_pose_csv
from analysis.engine.synth import SwingParams, generate_swing
from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store, video_key
from swingvision.videos import retention, thumbnails
from swingvision.videos.renditions import rendition_key
from tests.browser.coded_swing import read_code

from . import phone_media
from .flow import process, upload_clip


@pytest.fixture
def team(make_user):
    coach = make_user("coach", name="Toni Tee")
    other = make_user("coach")
    return coach, make_user("player", coach=coach, name="Kim Carry"), other


def webp_image(data: bytes) -> np.ndarray:
    with av.open(io.BytesIO(data)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


def stored(ref: str) -> bytes:
    with get_store().open(ref) as fh:
        return fh.read()


@pytest.fixture
def hevc_swing(team, mgr, login_client):
    """The iPhone HEVC clip (frame numbers burned in), uploaded and processed."""
    coach, player, _ = team
    clip = phone_media.phone_clips()["iphone-hevc"]
    c = login_client(coach)
    return c, upload_clip(c, mgr, player.id, clip.kind)


def test_the_poster_is_the_address_frame_and_the_strip_the_eight_events(hevc_swing, mgr):
    _, video = hevc_swing
    analysis = mgr.analyses.latest_for_video(SYSTEM, video.user_id, video.id)
    thumbs = video.metadata["thumbs"]
    order = thumbnails.EVENT_NAMES
    assert thumbs["frames"] == [analysis.events[name] for name in order]
    assert thumbs["poster_frame"] == analysis.events["address"]
    poster = webp_image(stored(thumbs["poster_ref"]))
    assert poster.shape == (320, 180, 3)
    # The frame number burned into the video survives into the poster: it is the address frame.
    assert read_code(poster) == analysis.events["address"]
    strip = webp_image(stored(thumbs["strip_ref"]))
    assert strip.shape == (96, 8 * 54 + 7 * 2, 3)
    # Each tile is its event's frame of the video (compared with the frame decoded directly).
    with get_store().local_copy(video.metadata["rendition_ref"]) as path:
        frames = thumbnails.grab_frames(path, thumbs["frames"], thumbnails.TILE_BOX)
    for i, f in enumerate(thumbs["frames"]):
        tile = strip[:, i * 56 : i * 56 + 54].astype(float)
        assert np.abs(tile - frames[f]).mean() < 6, (i, f)
        others = [np.abs(tile - frames[g]).mean() for g in thumbs["frames"] if g != f]
        assert np.abs(tile - frames[f]).mean() < min(others)


def test_the_picture_view_checks_scope_and_caches_by_version(hevc_swing, team, login_client):
    c, video = hevc_swing
    _, player, other_coach = team
    version = video.metadata["thumbs"]["version"]
    base = f"/players/{player.id}/swings/{video.id}/thumbs"
    r = c.get(f"{base}/poster.webp?v={version}")
    assert r.status_code == 200 and r["Content-Type"] == "image/webp"
    assert r.content == stored(video.metadata["thumbs"]["poster_ref"])
    assert r["Cache-Control"] == "private, max-age=31536000, immutable"
    assert c.get(f"{base}/poster.webp")["Cache-Control"] == "private, no-cache"
    again = c.get(f"{base}/strip.webp", HTTP_IF_NONE_MATCH=c.get(f"{base}/strip.webp")["ETag"])
    assert again.status_code == 304
    head = c.head(f"{base}/strip.webp")
    assert head.status_code == 200 and head.content == b"" and int(head["Content-Length"]) > 100
    assert c.get(f"{base}/other.webp").status_code == 404
    assert c.get(f"{base}/../video").status_code == 404
    assert login_client(other_coach).get(f"{base}/poster.webp").status_code == 404
    assert login_client(player).get(f"{base}/poster.webp").status_code == 200


def pose_file_swing(mgr, player, *, seed: int):
    """A swing known by its pose file alone (a capture app's upload), processed."""
    swing = generate_swing(SwingParams(seed=seed, width=480, height=640))
    video = mgr.videos.create(
        SYSTEM,
        player.id,
        filename="capture-app.csv",
        metadata={"fps": swing.fps, "width": 480, "height": 640},
    )
    csv = export_pose_csv(swing.keypoints, swing.fps).encode()
    ref = get_store().put(
        video_key(player.id, video.id, "poses.csv", kind="poses"), io.BytesIO(csv)
    )
    mgr.videos.update(video, metadata={**video.metadata, "pose_ref": ref, "pose_filename": "p.csv"})
    return process(mgr, player.id, video.id)


def test_pages_show_posters_and_strips(hevc_swing, team, mgr):
    c, video = hevc_swing
    coach, player, _ = team
    urls = thumbnails.thumb_urls(video)
    assert urls["strip_alt"] == (
        "Swing events: Address, Toe up, Mid backswing, Top, Mid downswing, Impact, "
        "Mid follow-through, Finish"
    )
    roster = c.get("/roster/").content.decode()
    assert f'src="{urls["poster_url"]}"' in roster  # the player's newest analysed swing
    page = c.get(f"/players/{player.id}/").content.decode()
    assert f'src="{urls["poster_url"]}"' in page and f'src="{urls["strip_url"]}"' in page
    assert f'alt="{urls["strip_alt"]}"' in page
    # Similar swings list each match with its event strip.
    other = pose_file_swing(mgr, player, seed=32)
    similar = c.get(f"/players/{player.id}/swings/{other.id}/similar/?kind=swings&view=any")
    assert similar.status_code == 200
    assert f'src="{urls["strip_url"]}"' in similar.content.decode()


def test_a_pose_file_swing_gets_skeleton_pictures(team, mgr, login_client):
    coach, player, _ = team
    done = pose_file_swing(mgr, player, seed=31)
    thumbs = done.metadata["thumbs"]
    assert thumbs["source"] == "skeleton" and thumbs["poster_size"] == [240, 320]
    poster = webp_image(stored(thumbs["poster_ref"]))
    # The replay's blank stage with light bones on it.
    assert np.abs(np.median(poster.reshape(-1, 3), axis=0) - thumbnails.BACKGROUND).max() < 8
    assert (poster.max(axis=2) > 200).sum() > 100
    page = login_client(coach).get(f"/players/{player.id}/").content.decode()
    assert thumbnails.thumb_urls(done)["poster_url"] in page
    assert "Skeleton at address" in page


def test_retention_deletes_the_rendition_with_the_video_and_redraws_the_pictures(
    hevc_swing, team, mgr
):
    c, video = hevc_swing
    _, player, _ = team
    store = get_store()
    before = video.metadata["thumbs"]
    rendition = video.metadata["rendition_ref"]
    assert store.exists(video.blob_ref) and store.exists(rendition)
    items = retention.purge(now=utc_now() + timedelta(days=31), player_id=player.id)
    assert [i.action for i in items if i.video.id == video.id] == ["deleted"]
    gone = mgr.videos.get(SYSTEM, player.id, video.id)
    assert gone.status == "expired" and gone.blob_ref is None
    assert not store.exists(video.blob_ref) and not store.exists(rendition)
    assert "rendition_ref" not in gone.metadata and "playback" not in gone.metadata
    after = gone.metadata["thumbs"]
    assert after["source"] == "skeleton" and after["version"] != before["version"]
    assert after["poster_ref"] != before["poster_ref"]  # a new key: keys name one picture
    assert not store.exists(before["poster_ref"]) and not store.exists(before["strip_ref"])
    assert sorted(store.keys(f"thumbs/{player.id}/{video.id}/")) == sorted(
        [after["poster_ref"], after["strip_ref"]]
    )
    poster = webp_image(stored(after["poster_ref"]))
    assert np.abs(np.median(poster.reshape(-1, 3), axis=0) - thumbnails.BACKGROUND).max() < 8
    assert c.get(f"/players/{player.id}/swings/{video.id}/video").status_code == 410
    r = c.get(f"/players/{player.id}/swings/{video.id}/thumbs/poster.webp?v={after['version']}")
    assert r.status_code == 200 and r.content == stored(after["poster_ref"])


def test_retention_also_finds_a_rendition_its_row_does_not_name(team, mgr):
    """A worker that died between writing the rendition (or pictures) and recording them leaves
    blobs no row names: the purge finds them by the video's prefixes and deletes them too."""
    _, player, _ = team
    store = get_store()
    video = mgr.videos.create(
        SYSTEM,
        player.id,
        filename="orphan.mov",
        status="analyzed",
        uploaded_at=utc_now() - timedelta(days=40),
        metadata={"frame_count": 3},
    )
    raw = store.put(video_key(player.id, video.id, "orphan.mov"), io.BytesIO(b"raw"))
    orphan = store.put(rendition_key(player.id, video.id), io.BytesIO(b"rendition"))
    picture = store.put(f"thumbs/{player.id}/{video.id}/1-0123-poster.webp", io.BytesIO(b"pic"))
    mgr.videos.update(video, blob_ref=raw)
    retention.purge(player_id=player.id)
    assert not store.exists(raw) and not store.exists(orphan) and not store.exists(picture)
    assert mgr.videos.get(SYSTEM, player.id, video.id).status == "expired"


def test_deleting_a_swing_deletes_its_rendition_and_pictures(team, mgr, make_user, login_client):
    coach, player, _ = team
    clip = phone_media.phone_clips()["vp9-webm"]
    video = upload_clip(login_client(coach), mgr, player.id, clip.kind)
    store = get_store()
    made = [video.metadata["rendition_ref"], *thumbnails.thumb_refs(video.metadata["thumbs"])]
    assert len(made) == 3 and all(store.exists(r) for r in made)
    mgr.admin.delete_video(make_user("admin"), player.id, video.id, store)
    assert not any(store.exists(r) for r in made)


def _analysed_without_media(mgr, player, filename: str, *, seed: int, days_ago: float = 0.0):
    """An analysed swing with its raw video and no rendition or pictures yet (as before they
    existed), uploaded `days_ago`."""
    from analysis.engine.synth import render_video
    from analysis.pipeline import LoadedPoses, analyze_and_store

    swing = phone_media.short_swing(fps=30, width=320, height=240, seed=seed)
    path = Path(tempfile.mkdtemp()) / filename
    render_video(swing, path)
    video = mgr.videos.create(
        SYSTEM,
        player.id,
        filename=filename,
        status="processing",
        uploaded_at=utc_now() - timedelta(days=days_ago),
        metadata={"fps": 30.0, "width": 320, "height": 240, "frame_count": swing.n_frames},
    )
    with path.open("rb") as fh:
        ref = get_store().put(video_key(player.id, video.id, filename), fh)
    video = mgr.videos.update(video, blob_ref=ref)
    poses = LoadedPoses(keypoints=swing.keypoints, fps=30.0, source="synthetic")
    analyze_and_store(mgr, video, poses)
    mgr.videos.transition(video, "processing", "analyzed")
    return video


def test_video_media_command_backfills_swings_analysed_before(team, mgr):
    """Swings analysed before renditions and pictures existed (like the demo's) get both."""
    from django.core.management import call_command

    _, player, _ = team
    video = _analysed_without_media(mgr, player, "old.mp4", seed=41)

    out = io.StringIO()
    call_command("video_media", "--player", player.id, "--dry-run", stdout=out)
    assert f"would make {player.id}/{video.id} 'old.mp4': rendition, pictures" in out.getvalue()
    call_command("video_media", "--player", player.id, stdout=io.StringIO())
    done = mgr.videos.get(SYSTEM, player.id, video.id)
    assert done.metadata["playback"] == "rendition" and done.metadata["thumbs"]["source"] == "video"
    again = io.StringIO()
    call_command("video_media", "--player", player.id, stdout=again)
    assert video.id not in again.getvalue() and "0 swing(s) done" in again.getvalue()


def test_video_media_draws_a_swing_past_its_retention_day_from_the_skeleton(team, mgr):
    """A swing whose raw video is past its retention day (the purge has not run yet) gets no
    rendition from video_media, and pictures drawn from the skeleton, not of the person."""
    from django.core.management import call_command

    _, player, _ = team
    video = _analysed_without_media(mgr, player, "due.mp4", seed=43, days_ago=40)

    out = io.StringIO()
    call_command("video_media", "--player", player.id, "--dry-run", stdout=out)
    assert f"would make {player.id}/{video.id} 'due.mp4': pictures" in out.getvalue()
    call_command("video_media", "--player", player.id, stdout=io.StringIO())
    done = mgr.videos.get(SYSTEM, player.id, video.id)
    assert done.metadata["thumbs"]["source"] == "skeleton"
    assert "rendition_ref" not in done.metadata and "playback" not in done.metadata
    assert thumbnails.thumb_urls(done) is not None
