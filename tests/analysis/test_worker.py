"""The processing worker: upload -> analyzed, crash and re-run, two workers, failure reasons."""

from __future__ import annotations

import io
import json
import threading

import numpy as np
import pytest
from django.core.management import call_command

from analysis import pipeline, worker
from analysis.engine.pose_io import export_pose_csv
from analysis.engine.synth import SwingParams, generate_swing
from swingvision.db.managers import SYSTEM
from swingvision.storage import get_store, video_key

from ..conftest import SHARED_DATA


def queue_pose_file_video(mgr, player, keypoints, fps, *, name="swing.csv"):
    """A video row as an upload leaves it: status uploaded, pose file in the store."""
    video = mgr.videos.create(SYSTEM, player.id, filename="swing.mp4", metadata={"fps": fps})
    csv = export_pose_csv(keypoints, fps).encode()
    ref = get_store().put(video_key(player.id, video.id, name, kind="poses"), io.BytesIO(csv))
    return mgr.videos.update(
        video, metadata={**video.metadata, "pose_ref": ref, "pose_filename": name}
    )


@pytest.fixture
def player(make_user):
    coach = make_user("coach")
    return make_user("player", coach=coach)


def test_upload_to_analyzed_with_poses_analysis_and_progress(mgr, player):
    swing = generate_swing(SwingParams(seed=3))
    video = queue_pose_file_video(mgr, player, swing.keypoints, swing.fps)
    assert worker.run_once(mgr) >= 1
    done = mgr.videos.get(SYSTEM, player.id, video.id)
    assert done.status == "analyzed", done.metadata
    assert mgr.poses.count(done) == swing.n_frames
    analysis = mgr.analyses.latest_for_video(SYSTEM, player.id, video.id)
    assert set(analysis.events) >= {"address", "top", "impact", "finish"}
    assert analysis.overall_score is not None and analysis.feedback
    assert abs(analysis.metrics["tempo_ratio"] - swing.metrics["tempo_ratio"]) < 0.3
    assert analysis.details["timing"]["too_slow_for_real_time"] is False
    assert analysis.details["timing"]["slow_motion_factor"] == 1.0
    day = done.uploaded_at.date()
    rows = mgr.progress.between(SYSTEM, player.id, *_day_range(day))
    # Progress rows are per camera view, and the swing keeps the view it was analysed from
    # (#20): the player's view setting (none here: face-on) is pinned in its metadata.
    assert rows and rows[0].metrics["face_on"]["tempo_ratio"]["n"] == 1
    assert done.metadata["view"] == analysis.details["view"] == "face-on"


def _day_range(day):
    from datetime import timedelta

    from swingvision.db.managers.progress import day_start

    return day_start(day), day_start(day) + timedelta(days=1)


def test_a_killed_worker_is_re_run_without_duplicates(mgr, player, monkeypatch):
    swing = generate_swing(SwingParams(seed=4))
    video = queue_pose_file_video(mgr, player, swing.keypoints, swing.fps)

    class Killed(BaseException):
        pass

    def die(*args, **kwargs):
        raise Killed  # like SIGKILL between the pose write and the analysis write

    monkeypatch.setattr(type(mgr.analyses), "save", die)
    with pytest.raises(Killed):
        worker.run_once(mgr)
    monkeypatch.undo()
    stuck = mgr.videos.get(SYSTEM, player.id, video.id)
    assert stuck.status == "processing" and mgr.poses.count(stuck) == swing.n_frames
    from datetime import timedelta

    assert worker.requeue_stale(mgr, older_than=timedelta(0)) >= 1
    worker.run_once(mgr)
    done = mgr.videos.get(SYSTEM, player.id, video.id)
    assert done.status == "analyzed"
    assert mgr.poses.count(done) == swing.n_frames
    rows = mgr.db.rows("analyses_for_video", {"user_id": player.id, "video_id": video.id})
    assert len(rows) == 1


def count_processing(monkeypatch) -> list[str]:
    """The ids of the videos the worker processes, as it processes them (from any thread)."""
    calls: list[str] = []
    lock = threading.Lock()
    real = pipeline.process_video

    def counting(video, *, m=None):
        with lock:
            calls.append(video.id)
        return real(video, m=m)

    monkeypatch.setattr(worker, "process_video", counting)
    return calls


def test_two_workers_process_each_video_once(mgr, player, monkeypatch):
    swing = generate_swing(SwingParams(seed=5))
    ids = {queue_pose_file_video(mgr, player, swing.keypoints, swing.fps).id for _ in range(6)}
    calls = count_processing(monkeypatch)
    threads = [threading.Thread(target=worker.run_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    mine = [c for c in calls if c in ids]
    assert sorted(mine) == sorted(ids), "each video exactly once"
    for vid in ids:
        assert mgr.videos.get(SYSTEM, player.id, vid).status == "analyzed"


@pytest.mark.parametrize(
    ("make_poses", "reason"),
    [
        (lambda s: np.repeat(s.keypoints[:1], len(s.keypoints), axis=0), "no swing"),
        (lambda s: s.keypoints[:10], "too short"),
        (lambda s: np.where(np.arange(33)[None, :, None] >= 23, np.nan, s.keypoints), "missing"),
        (lambda s: np.full_like(s.keypoints, np.nan), "no person"),
    ],
    ids=["standing-still", "short-clip", "joints-missing", "nobody"],
)
def test_failures_record_a_clear_reason(mgr, player, make_poses, reason):
    swing = generate_swing(SwingParams(seed=6))
    kp = make_poses(swing).astype(np.float32)
    video = queue_pose_file_video(mgr, player, kp, swing.fps)
    worker.run_once(mgr)
    done = mgr.videos.get(SYSTEM, player.id, video.id)
    assert done.status == "failed"
    assert reason in done.metadata["error"].lower(), done.metadata["error"]
    assert mgr.analyses.latest_for_video(SYSTEM, player.id, video.id) is None


def test_reanalysis_uses_stored_poses_and_keeps_one_row_per_version(mgr, player):
    swing = generate_swing(SwingParams(seed=7))
    video = queue_pose_file_video(mgr, player, swing.keypoints, swing.fps)
    worker.run_once(mgr)
    done = mgr.videos.get(SYSTEM, player.id, video.id)
    # The pose file is gone; stored poses are enough to analyse again.
    get_store().delete(done.metadata["pose_ref"])
    meta = {k: v for k, v in done.metadata.items() if k != "pose_ref"}
    done = mgr.videos.update(done, metadata=meta)
    call_command("analyze_video", video.id, stdout=io.StringIO())
    again = mgr.videos.get(SYSTEM, player.id, video.id)
    assert again.status == "analyzed"
    rows = mgr.db.rows("analyses_for_video", {"user_id": player.id, "video_id": video.id})
    assert len(rows) == 1


@pytest.mark.slow
def test_mediapipe_on_the_real_video_gives_all_events_in_order(mgr, make_user):
    from analysis.engine.extract import mediapipe_available

    assert mediapipe_available(), "the pose extra must be installed (pip install .[pose])"
    coach = make_user("coach")
    player = make_user("player", coach=coach, settings={"view": "down-the-line"})
    path = SHARED_DATA / "golfdb" / "test_video.mp4"
    video = mgr.videos.create(
        SYSTEM,
        player.id,
        filename="real.mp4",
        metadata={"fps": 29.97, "width": 354, "height": 492, "view": "down-the-line"},
    )
    with path.open("rb") as fh:
        ref = get_store().put(video_key(player.id, video.id, "real.mp4"), fh)
    mgr.videos.update(video, blob_ref=ref)
    worker.run_once(mgr)
    done = mgr.videos.get(SYSTEM, player.id, video.id)
    assert done.status == "analyzed", done.metadata.get("error")
    assert mgr.poses.count(done) >= 0.9 * 264
    events = mgr.analyses.latest_for_video(SYSTEM, player.id, video.id).events
    frames = [events[name] for name in pipeline_event_names()]
    assert all(f is not None for f in frames), events
    assert frames == sorted(frames) and len(set(frames)) == 8, events


def pipeline_event_names():
    from analysis.engine import EVENT_NAMES

    return EVENT_NAMES


def test_analyze_poses_command_prints_json(tmp_path):
    swing = generate_swing(SwingParams(seed=8, fps=60.0))
    path = tmp_path / "swing.csv"
    path.write_text(export_pose_csv(swing.keypoints, swing.fps))
    out = io.StringIO()
    call_command("analyze_poses", str(path), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data["events"]) == set(pipeline_event_names())
    assert abs(data["metrics"]["tempo_ratio"] - swing.metrics["tempo_ratio"]) < 0.3
    assert 0 <= data["overall_score"] <= 100 and isinstance(data["feedback"], list)


def test_analyze_poses_command_rejects_a_malformed_file(tmp_path):
    from django.core.management.base import CommandError

    bad = SHARED_DATA / "golftracker" / "test1.csv"
    with pytest.raises(CommandError, match="test1.csv"):
        call_command("analyze_poses", str(bad), "--fps", "30", stdout=io.StringIO())


def test_seed_demo_is_idempotent(mgr, settings):
    from analysis.demo import seed_demo

    first = seed_demo(mgr, players_per_coach=1, swings_per_player=2, days=7, echo=lambda s: None)
    assert first["videos"] == 4 and first["failed"] == 0
    second = seed_demo(mgr, players_per_coach=1, swings_per_player=2, days=7, echo=lambda s: None)
    assert second["users"] == second["videos"] == second["failed"] == 0
    player = mgr.users.get("demo-player-ava-lindqvist")
    videos = mgr.videos.for_player(SYSTEM, player.id)
    assert len(videos) == 2 and all(v.status == "analyzed" for v in videos)
    # The rendered demo video matches the stored poses' frame count.
    import av

    with get_store().local_copy(videos[0].blob_ref) as path, av.open(str(path)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    assert frames == videos[0].metadata["frame_count"] == mgr.poses.count(videos[0])


def test_seed_demo_expires_old_swings_in_the_database_it_writes(mgr, monkeypatch):
    """seed_demo writes to the managers it is given (the bench seeds a database of its own): the
    purge of its older swings must use them too, never the configured database (CI's bench met a
    fresh clone without one)."""
    from analysis.demo import seed_demo
    from swingvision.videos import retention

    def elsewhere():
        raise AssertionError("the purge reached for the configured database")

    monkeypatch.setattr(retention, "managers", elsewhere)
    # Two players per coach: the second ones are new even after the test above seeded the first.
    seed_demo(mgr, players_per_coach=2, swings_per_player=3, days=45, echo=lambda s: None)
    players = [u for u in mgr.users.by_role(SYSTEM, "player") if u.id.startswith("demo-player-")]
    statuses = {v.status for p in players for v in mgr.videos.for_player(SYSTEM, p.id)}
    assert "expired" in statuses, statuses
