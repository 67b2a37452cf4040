"""The worker against every configured backend (CrateDB when SWINGVISION_CRATEDB_URL is set):
uploads become analyses, and two workers draining one queue process each video exactly once."""

from __future__ import annotations

import threading

from analysis import worker
from analysis.engine.synth import SwingParams, generate_swing
from swingvision.db.managers import SYSTEM

from ..backends import managers_fixture
from ..factories import account
from .test_worker import count_processing, queue_pose_file_video

m = managers_fixture()


def test_two_workers_on_one_queue_analyse_each_upload_once(m, monkeypatch):
    player = account(m, "player", coach=account(m, "coach"))
    swing = generate_swing(SwingParams(seed=8))
    ids = {queue_pose_file_video(m, player, swing.keypoints, swing.fps).id for _ in range(4)}
    calls = count_processing(monkeypatch)
    errors: list[BaseException] = []

    def drain():
        try:
            worker.run_once(m)
        except Exception as e:  # noqa: BLE001 - reported below, not lost in the thread
            errors.append(e)
        finally:
            m.db.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert sorted(calls) == sorted(ids), "each video exactly once"
    for vid in ids:
        done = m.videos.get(SYSTEM, player.id, vid)
        assert done.status == "analyzed", done.metadata
        assert done.metadata["attempts"] == 1
        assert m.poses.count(done) == swing.n_frames
        assert m.analyses.latest_for_video(SYSTEM, player.id, vid).overall_score is not None
    # Nothing is left in the queue, and a further run finds nothing to do.
    m.db.refresh("videos")
    assert [v for v in m.videos.with_status("uploaded") if v.id in ids] == []
    assert worker.run_once(m) == 0
