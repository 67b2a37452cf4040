"""Pose helpers: mirroring and similarity embeddings."""

import numpy as np

from analysis.engine.pose import (
    EMBEDDING_JOINTS,
    LANDMARK_INDEX,
    MOTION_HORIZONS,
    MOTION_JOINTS,
    POSE_DIM_2D,
    POSE_EMBEDDING_DIM,
    POSE_EMBEDDING_V1_DIM,
    SPEED_HORIZONS,
    SWING_EMBEDDING_DIM,
    empty_poses,
    mirror_poses,
    pose_embeddings,
    pose_embeddings_v1,
    swing_embedding,
)
from analysis.engine.synth import SwingParams, generate_swing


def test_constants():
    assert POSE_EMBEDDING_V1_DIM == 39 == 3 * len(EMBEDDING_JOINTS)
    assert 2 * len(EMBEDDING_JOINTS) == POSE_DIM_2D
    motion = 4 * len(MOTION_JOINTS) * len(MOTION_HORIZONS)
    assert POSE_EMBEDDING_DIM == 62 == POSE_DIM_2D + motion + 2 * len(SPEED_HORIZONS)
    assert SWING_EMBEDDING_DIM == 8 * 62


def test_mirror_swaps_sides_and_flips_x():
    kp = generate_swing(SwingParams(seed=1)).keypoints
    m = mirror_poses(kp)
    left, right = LANDMARK_INDEX["left_wrist"], LANDMARK_INDEX["right_wrist"]
    np.testing.assert_allclose(m[:, left, 0], 1 - kp[:, right, 0], atol=1e-6)
    np.testing.assert_array_equal(m[:, left, 1:], kp[:, right, 1:])
    mouth_l, mouth_r = LANDMARK_INDEX["mouth_left"], LANDMARK_INDEX["mouth_right"]
    np.testing.assert_array_equal(m[:, mouth_l, 1], kp[:, mouth_r, 1])
    np.testing.assert_allclose(mirror_poses(m), kp, atol=1e-6)


def test_embeddings_shape_and_missing_joints():
    kp = generate_swing(SwingParams(seed=2)).keypoints.copy()
    kp[3, 15] = np.nan
    emb = pose_embeddings(kp, left_handed=False, aspect=4 / 3)
    assert emb.shape == (len(kp), POSE_EMBEDDING_DIM) and emb.dtype == np.float32
    assert np.isfinite(emb).all()
    # A joint missing in one frame is interpolated from its neighbours, not put on the hips.
    wrist = EMBEDDING_JOINTS.index(15)
    x = emb[:, 2 * wrist]
    assert x[3] != 0 and min(x[2], x[4]) - 0.05 <= x[3] <= max(x[2], x[4]) + 0.05
    # Centred on the hips: the hip midpoint is the origin (2D).
    lh, rh = EMBEDDING_JOINTS.index(23), EMBEDDING_JOINTS.index(24)
    mid = 0.5 * (emb[:, 2 * lh : 2 * lh + 2] + emb[:, 2 * rh : 2 * rh + 2])
    np.testing.assert_allclose(mid, 0, atol=1e-5)
    assert pose_embeddings(empty_poses(4), left_handed=False).shape == (4, POSE_EMBEDDING_DIM)
    assert not pose_embeddings(empty_poses(4), left_handed=False).any()
    assert pose_embeddings_v1(kp, left_handed=False).shape == (len(kp), 39)


def test_motion_tells_the_way_the_hands_go():
    """Two frames with the same still pose but hands going opposite ways differ in the motion
    part, and the same swing in slow motion embeds alike at the same moment."""
    s = generate_swing(SwingParams(seed=3, noise=0.0))
    kp = s.keypoints
    emb = pose_embeddings(kp, left_handed=False, aspect=4 / 3)
    reverse = pose_embeddings(kp[::-1].copy(), left_handed=False, aspect=4 / 3)[::-1]
    top = s.events["top"] - 5
    np.testing.assert_allclose(emb[top, :POSE_DIM_2D], reverse[top, :POSE_DIM_2D], atol=1e-4)
    assert np.linalg.norm(emb[top, POSE_DIM_2D:] - reverse[top, POSE_DIM_2D:]) > 0.1
    slow = np.repeat(kp, 3, axis=0)  # every frame three times: a 3x slow-motion replay
    emb_slow = pose_embeddings(slow, left_handed=False, aspect=4 / 3)
    frames = [s.events[e] for e in ("toe_up", "top", "impact")]
    for f in frames:
        near = np.linalg.norm(emb_slow[3 * f + 1] - emb[f])
        other = min(np.linalg.norm(emb[f] - emb[g]) for g in frames if g != f)
        assert near < 0.25 * other


def test_left_handed_twin_embeds_like_right_handed():
    params = dict(seed=5, noise=0.0, view="face-on")
    rh = generate_swing(SwingParams(**params))
    lh = generate_swing(SwingParams(left_handed=True, **params))
    e_rh = pose_embeddings(rh.keypoints, left_handed=False, aspect=4 / 3)
    e_lh = pose_embeddings(lh.keypoints, left_handed=True, aspect=4 / 3)
    np.testing.assert_allclose(e_lh, e_rh, atol=1e-4)
    s_rh = swing_embedding(e_rh, rh.events)
    s_lh = swing_embedding(e_lh, lh.events)
    assert s_rh.shape == (SWING_EMBEDDING_DIM,)
    np.testing.assert_allclose(s_lh, s_rh, atol=1e-4)


def test_swing_embedding_weights_and_missing_events():
    emb = np.ones((10, POSE_EMBEDDING_DIM), dtype=np.float32)
    events = {"address": 0, "top": 3, "impact": None, "finish": 99}
    vec = swing_embedding(emb, events).reshape(8, POSE_EMBEDDING_DIM)
    assert vec[0].max() == 1.0 and vec[3].max() == 1.5
    assert not vec[1].any() and not vec[5].any() and not vec[7].any()
