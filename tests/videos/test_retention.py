"""Retention: purge_videos removes raw videos 30 days old and older, keeps the rest, is safe to
re-run, and the pages say when a video expires or that it has."""

from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from analysis.engine.pose import SWING_EMBEDDING_DIM
from swingvision.db.codec import utc_now
from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store, video_key


def aged_video(mgr, player, days: float, *, status="analyzed", with_pose=True):
    """A video uploaded `days` ago, its raw blob and pose file in the store, an analysis row."""
    store = get_store()
    video = mgr.videos.create(
        SYSTEM,
        player.id,
        filename=f"aged-{days}.mp4",
        status=status,
        uploaded_at=utc_now() - timedelta(days=days),
        metadata={"frame_count": 12},
    )
    raw = store.put(video_key(player.id, video.id, "swing.mp4"), io.BytesIO(b"raw video bytes"))
    meta = dict(video.metadata)
    if with_pose:
        meta["pose_ref"] = store.put(
            video_key(player.id, video.id, "poses.csv", kind="poses"), io.BytesIO(b"frame\n0\n")
        )
    video = mgr.videos.update(video, blob_ref=raw, metadata=meta)
    mgr.analyses.save(
        video,
        engine_version="t",
        overall_score=60.0,
        metrics={"tempo_ratio": 3.0},
        events={},
        feedback=[],
        details={},
        swing_embedding=np.zeros(SWING_EMBEDDING_DIM, np.float32),
    )
    return video


def run_purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_videos", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def mgr(gateway, settings, tmp_path):
    """A database and a video store of this test's own: the purge runs over every player, and
    the session's shared database holds other suites' videos (the demo seeds some 40 days old)."""
    from swingvision import storage
    from swingvision.db import get_db, reset_db
    from swingvision.db.managers import managers
    from swingvision.db.migrate import migrate

    settings.SWINGVISION_DB = f"sqlite:///{tmp_path / 'retention.db'}"
    settings.SWINGVISION_STORAGE = f"file://{tmp_path / 'videos'}"
    reset_db()
    storage.reset_store()
    migrate(get_db())
    yield managers(get_db())
    reset_db()
    storage.reset_store()


@pytest.fixture
def team(mgr):
    from tests.factories import account

    from .conftest import Team

    def user(role, coach=None):
        return account(mgr, role, coach=coach)

    coach, other = user("coach"), user("coach")
    return Team(
        coach=coach,
        player=user("player", coach),
        other_coach=other,
        other_player=user("player", other),
    )


@pytest.fixture
def aged(team, mgr):
    # Whole days: 29 days old is kept, 30 days old has reached its retention, 31 is past it.
    return {d: aged_video(mgr, team.player, d) for d in (29, 30, 31)}


def check_purged(mgr, store, aged, expected_gone):
    for days, video in aged.items():
        now = mgr.videos.get(SYSTEM, video.user_id, video.id)
        if days in expected_gone:
            assert now.status == "expired" and now.blob_ref is None, days
            assert not store.exists(video.blob_ref), days
            assert now.metadata["expired_from"] == "analyzed"
            # Poses and analyses stay.
            assert store.exists(video.metadata["pose_ref"])
            assert mgr.analyses.latest_for_video(SYSTEM, video.user_id, video.id) is not None
        else:
            assert now.status == "analyzed" and now.blob_ref == video.blob_ref, days
            assert store.exists(video.blob_ref), days


def test_purge_removes_exactly_the_expired_blobs(aged, mgr):
    store = get_store()
    dry = run_purge("--dry-run")
    assert "would delete" in dry
    assert aged[30].id in dry and aged[31].id in dry and aged[29].id not in dry
    check_purged(mgr, store, aged, expected_gone=())  # the dry run changed nothing
    out = run_purge()
    assert f"deleted      {aged[31].user_id}/{aged[31].id}" in out
    assert aged[29].id not in out
    check_purged(mgr, store, aged, expected_gone=(30, 31))
    again = run_purge()  # safe to re-run: nothing left to do
    assert aged[30].id not in again and aged[31].id not in again
    check_purged(mgr, store, aged, expected_gone=(30, 31))


def test_a_blob_gone_already_still_marks_the_row(team, mgr):
    """A run that died after deleting the blob but before marking the row is finished later."""
    video = aged_video(mgr, team.player, 40)
    get_store().delete(video.blob_ref)
    assert video.id in run_purge()
    assert mgr.videos.get(SYSTEM, team.player.id, video.id).status == "expired"


def test_a_video_being_processed_waits(team, mgr):
    video = aged_video(mgr, team.player, 45, status="processing")
    out = run_purge()
    assert f"skipped      {team.player.id}/{video.id}" in out
    assert get_store().exists(video.blob_ref)
    assert mgr.videos.get(SYSTEM, team.player.id, video.id).status == "processing"


def test_days_setting_and_bad_days(team, mgr, settings):
    video = aged_video(mgr, team.player, 8)
    settings.SWINGVISION_RAW_VIDEO_DAYS = 10
    assert video.id not in run_purge()
    settings.SWINGVISION_RAW_VIDEO_DAYS = 7
    assert video.id in run_purge()
    with pytest.raises(CommandError):
        run_purge("--days", "0")


def test_pages_show_expiry_and_expired(team, mgr, login_client):
    live = aged_video(mgr, team.player, 2)
    gone = aged_video(mgr, team.player, 33)
    run_purge()
    c = login_client(team.coach)
    page = c.get(f"/players/{team.player.id}/").content.decode()
    until = (live.uploaded_at + timedelta(days=30)).strftime("%b %-d, %Y")
    assert (
        f'video until <time datetime="{(live.uploaded_at + timedelta(days=30)).isoformat()}' in page
    )
    assert until in page
    assert "video deleted" in page and "status-expired" in page
    api = c.get(f"/api/v1/players/{team.player.id}/videos/{gone.id}").json()["video"]
    assert api["status"] == "expired" and api["raw_video_available"] is False
    upload_page = c.get(f"/players/{team.player.id}/upload/").content.decode()
    assert f'/swings/{live.id}/video"' in upload_page  # a live video offers playback
    assert f'/swings/{gone.id}/video"' not in upload_page  # an expired one does not


def _with_poster(mgr, video, source: str):
    """The swing with a poster in the store, taken from its video or drawn from its skeleton."""
    ref = get_store().put(
        f"thumbs/{video.user_id}/{video.id}/t-poster.webp", io.BytesIO(b"RIFF poster")
    )
    thumbs = {"source": source, "poster_ref": ref, "version": "t", "frames": []}
    return mgr.videos.update(video, metadata={**video.metadata, "thumbs": thumbs})


def test_a_video_past_its_day_is_gone_before_the_purge_runs(team, mgr, login_client):
    """A swing uploaded more than the retention ago that the daily purge has not reached yet is
    shown as expired everywhere: the replay has no video, the video URLs answer 410, the API
    says no raw video and gives no URLs to fetch it, the upload page offers no playback and the
    pictures of the person are not shown. A swing within its days plays as before."""
    from swingvision.similarity.views import frame_url
    from swingvision.videos.availability import raw_video_available
    from swingvision.videos.thumbnails import thumb_urls

    live = _with_poster(mgr, aged_video(mgr, team.player, 2), "video")
    due = _with_poster(mgr, aged_video(mgr, team.player, 31), "video")
    purged = aged_video(mgr, team.player, 33)
    run_purge("--days", "32")  # the daily run came before `due` fell due
    assert mgr.videos.get(SYSTEM, team.player.id, due.id).status == "analyzed"
    assert raw_video_available(live) and not raw_video_available(due)
    c = login_client(team.coach)
    p = team.player.id

    page = c.get(f"/players/{p}/swings/{due.id}/").content.decode()
    assert "<video data-video" not in page and "The video is no longer stored" in page
    assert "video deleted" in page and "video until" not in page
    assert "<video data-video" in c.get(f"/players/{p}/swings/{live.id}/").content.decode()

    assert c.get(f"/players/{p}/swings/{due.id}/video").status_code == 410
    assert c.get(f"/players/{p}/swings/{live.id}/video").status_code == 200

    for video, playable in ((live, True), (due, False), (purged, False)):
        api = c.get(f"/api/v1/players/{p}/videos/{video.id}").json()["video"]
        assert api["raw_video_available"] is playable, video.filename
        if playable:
            assert c.get(api["playback_url"]).status_code == 200
            assert c.get(api["file_url"]).status_code == 200
        else:
            assert api["playback_url"] is None and api["file_url"] is None, video.filename
    assert c.get(f"/api/v1/players/{p}/videos/{due.id}/video").status_code == 410

    upload_page = c.get(f"/players/{p}/upload/").content.decode()
    assert f'/swings/{live.id}/video"' in upload_page
    assert f'/swings/{due.id}/video"' not in upload_page
    assert "video until" in upload_page and "video deleted" in upload_page
    past_day = (due.uploaded_at + timedelta(days=30)).strftime("%b %-d, %Y")
    assert (
        f'video until <time datetime="{(due.uploaded_at + timedelta(days=30)).isoformat()}'
        not in (upload_page)
        and past_day in upload_page
    )

    # The poster taken from the video goes with it; one drawn from the skeleton stays.
    assert thumb_urls(live) and thumb_urls(due) is None
    assert c.get(f"/players/{p}/swings/{live.id}/thumbs/poster.webp").status_code == 200
    assert c.get(f"/players/{p}/swings/{due.id}/thumbs/poster.webp").status_code == 404
    due = _with_poster(mgr, due, "skeleton")
    assert thumb_urls(due) is not None
    assert c.get(f"/players/{p}/swings/{due.id}/thumbs/poster.webp").status_code == 200
    assert frame_url(p, live, 3) and frame_url(p, due, 3) == ""
