"""The poses manager on every configured backend: bulk writes, missing joints, re-runs."""

from __future__ import annotations

import numpy as np

from analysis.engine.pose import POSE_EMBEDDING_DIM
from swingvision.db.managers import SYSTEM
from tests.backends import managers_fixture

m = managers_fixture()


def test_poses_bulk_write_round_trip_and_rerun(m, team):
    coach, player = team["coach"], team["player"]
    v = m.videos.create(SYSTEM, player.id, filename="poses.mp4")
    rng = np.random.default_rng(1)
    kp = rng.random((40, 33, 4)).astype(np.float32)
    kp[5, 3:7] = np.nan  # missing joints stay missing
    kp[9] = np.nan  # a frame with nobody in it is not stored
    emb = rng.random((40, POSE_EMBEDDING_DIM)).astype(np.float32)
    assert m.poses.write_video_poses(v, kp, 30.0, embeddings=emb) == 39
    seq = m.poses.sequence(coach, player.id, v.id)
    assert list(seq.frame_numbers) == [i for i in range(40) if i != 9]
    np.testing.assert_allclose(seq.keypoints, np.delete(kp, 9, axis=0), rtol=1e-6)
    pose = m.poses.get(coach, player.id, v.id, 5)
    assert np.isnan(pose.keypoints[3:7]).all() and not np.isnan(pose.keypoints[7]).any()
    np.testing.assert_allclose(pose.embedding, emb[5], rtol=1e-6)
    assert pose.timestamp_ms == 167
    assert len(m.poses.for_video(coach, player.id, v.id)) == 39
    # A re-run with fewer frames leaves exactly one row per frame.
    m.poses.write_video_poses(v, kp[:30], 30.0)
    assert m.poses.count(v) == 29
    assert m.poses.get(coach, player.id, v.id, 0).embedding is None
