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
